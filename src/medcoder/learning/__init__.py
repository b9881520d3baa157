"""Learning an organisation's coding from its coded history (``medcoder train``).

The house model (:class:`HouseModel`, scikit-learn's ``fit``/``predict`` habit) learns which
engine codes this house keeps, the phrases it codes from and its code forms; its ranker is
gradient-boosted trees saved as arrays (:mod:`.tree_ranker`) over readable features
(:mod:`.house_features`); gold files are read by :mod:`.gold` and predictions scored the
CodiEsp way by :mod:`.evaluate`.
"""

from medcoder.learning.evaluate import score
from medcoder.learning.gold import read_gold_files
from medcoder.learning.house_model import HouseModel

__all__ = ["HouseModel", "read_gold_files", "score"]
