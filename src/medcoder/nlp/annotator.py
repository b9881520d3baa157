"""Builds the :class:`~medcoder.nlp.annotated.AnnotatedDocument` of a document, once.

    segment -> type -> statements -> match concepts -> assertion context -> attributes

1. *segment*: sections with roles and sentences (``documents.sections``);
2. *type*: office visit, operative report, radiology ... (``documents.doctype``);
3. *statements*: where the note states its diagnoses, and what the rest is (support,
   history, exam, allergies, consent ...) (``nlp.statements``);
4. *match*: vocabulary phrases (index paths, titles, inclusion terms, abbreviations) found in
   each sentence, most specific first (``nlp.matcher``);
5. *context*: present, negated, uncertain, historical, family, hypothetical — medspaCy ConText
   with the section's role (``nlp.context``): the one assertion engine of medcoder;
6. *attributes*: laterality, site, acuity, severity/stage read from the mention's sentence
   (``nlp.attributes``), links such as "due to" between neighbouring mentions.

The vocabulary comes from the ICD-10-CM pack in force (its index, tabular titles and
inclusion terms); the annotator is built once per pack and shared by every document.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from medcoder.codesets.icd10cm_pack import ICD10CMPack
from medcoder.documents.doctype import classify
from medcoder.documents.model import Document, Section, Sentence
from medcoder.documents.sections import risk_discussions, segment
from medcoder.nlp.annotated import AnnotatedDocument
from medcoder.nlp.attributes import apply_attributes, link_mentions
from medcoder.nlp.model import ConceptKind, Mention
from medcoder.nlp.statements import find_statements

if TYPE_CHECKING:  # the assertion engine loads spaCy on first use, not on import
    from medcoder.nlp.context import ContextParse

_KIND_BY_CHAPTER = {"R": ConceptKind.SYMPTOM, "Z": ConceptKind.FINDING}


class Annotator:
    """Annotates documents against one ICD-10-CM pack's vocabulary.

    The constructor stores the pack only; the vocabulary, matcher and assertion rules load on
    first use (a process that only reads documents never pays for them).
    """

    def __init__(self, pack: ICD10CMPack) -> None:
        self.pack = pack

    @cached_property
    def matcher(self):  # noqa: ANN201 - ConceptMatcher
        from medcoder.nlp.lexicon import Lexicon
        from medcoder.nlp.matcher import ConceptMatcher, bare_words
        from medcoder.nlp.vocabulary_cache import load_vocabulary

        return ConceptMatcher(load_vocabulary(self.pack), lexicon=Lexicon.load(), bare=bare_words())

    @cached_property
    def context(self):  # noqa: ANN201 - ContextAnnotator (medspaCy), imported lazily
        from medcoder.nlp.context import ContextAnnotator

        return ContextAnnotator()

    def annotate(self, document: Document) -> AnnotatedDocument:
        """The annotated document of ``document`` (its sections are found when missing)."""
        if not document.sections:
            segment(document)
        decision = classify(document.text, document.sections, given=document.kind)
        annotated = AnnotatedDocument(document, decision.type, decision.clues)
        risks = risk_discussions(document.text, document.sentences)  # read once, used twice
        annotated.statements = find_statements(document, decision.type, risks)
        spans = [(s.start, s.end) for s in document.sentences]
        from medcoder.nlp.patient_sex import context_token, patient_sex

        sex = context_token(patient_sex(document.text))
        matches = self.matcher.match(document.text, spans, sex)
        roles = assertion_roles(document.text, document.sections, document.sentences, risks)
        annotated.context = self.context.parse(document.text, roles)
        contexts = annotated.context.assertions([(m.start, m.end) for m in matches])
        mentions: list[Mention] = []
        for match, ctx in zip(matches, contexts, strict=True):
            section = annotated.section_at(match.start)
            statement = annotated.statement_at(match.start)
            entry = match.entry
            mention = Mention(
                text=document.text[match.start : match.end],
                start=match.start,
                end=match.end,
                concept=entry.text,
                kind=_KIND_BY_CHAPTER.get(entry.code[:1], ConceptKind.CONDITION),
                assertion=ctx.assertion,
                document_id=document.id,
                section=section.kind if section else None,
                section_role=section.role if section else None,
                sentence_start=match.sentence_start,
                sentence_end=match.sentence_end,
                temporality=ctx.temporality,
                codes=[entry.code, *entry.also],
                match=match,
                reading=statement.role if statement else None,
                item=statement.item if statement else None,
            )
            if ctx.trigger:
                mention.attributes["assertion_trigger"] = ctx.trigger
            if ctx.category:
                mention.attributes["assertion_rule"] = f"{ctx.rule_set}:{ctx.category}"
            mentions.append(mention)
        annotated.mentions = mentions
        return annotated

    @staticmethod
    def describe(annotated: AnnotatedDocument) -> AnnotatedDocument:
        """Fill laterality, site, acuity and severity of every mention and link neighbours
        ("X due to Y"): what ``medcoder parse`` shows. Coding reads them per mention on demand
        (:func:`attributes_of`), which keeps coding fast."""
        for mention in annotated.mentions:
            attributes_of(annotated, mention)
        link_mentions(annotated.text, annotated.mentions)
        return annotated


def assertion_roles(
    text: str,
    sections: list[Section],
    sentences: list[Sentence],
    risks: list[tuple[int, int]] | None = None,
) -> list[tuple[int, int, str]]:
    """The ranges whose role bears on assertion: each section's role, a consent section and
    each consent or risk discussion (``documents.sections.risk_discussions``) as ``risk``.

    "Risks include bleeding, infection and DVT" names what could happen, not what the patient
    has: ConText makes such mentions hypothetical (``nlp.context``). One list for every reader
    of the annotated document, so coding, CDI and casework agree on it. ``risks``: the
    discussions when the caller has read them already.
    """
    from medcoder.nlp.context import RISK_ROLE, overlay_roles

    if risks is None:
        risks = risk_discussions(text, sentences)
    roles = [(s.start, s.end, RISK_ROLE if s.role == "consent" else s.role) for s in sections]
    return overlay_roles(roles, risks)


def context_of(document: Document, annotated: AnnotatedDocument | None = None) -> ContextParse:
    """The assertion parse of ``document`` (a :class:`~medcoder.nlp.context.ContextParse`):
    the annotated document's own when given, so procedures, services and CDI read the same
    tokens, sentences and roles as the diagnoses; else one built with the same roles (an
    engine used on its own, outside the pipeline, decides exactly as inside it)."""
    if annotated is not None:
        return annotated.parse_context()
    from medcoder.documents.sections import find_sections, sentences
    from medcoder.nlp.context import ContextAnnotator

    text = document.text
    sections = document.sections or find_sections(text)
    lines = document.sentences if document.sections else sentences(text, sections)
    return ContextAnnotator().parse(text, assertion_roles(text, sections, lines))


def attributes_of(annotated: AnnotatedDocument, mention: Mention) -> Mention:
    """Read laterality, site, acuity and severity of ``mention`` from its sentence (once)."""
    if id(mention) not in annotated.described:
        apply_attributes(annotated.text, mention)
        annotated.described.add(id(mention))
    return mention


_SHARED: dict[str, Annotator] = {}


def annotator_for(pack: ICD10CMPack) -> Annotator:
    """The one annotator of a pack in this process: pipelines of different dates of service
    that code with the same pack share its vocabulary, matcher and rules (about 100 MB)."""
    key = str(pack.path)
    found = _SHARED.get(key)
    if found is None:
        if len(_SHARED) >= 4:
            _SHARED.pop(next(iter(_SHARED)))
        found = _SHARED[key] = Annotator(pack)
    return found
