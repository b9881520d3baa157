"""``python -m medcoder``."""

from medcoder.cli import main

main()
