"""The phonetic correction pass on timed items: what it replaces, what it leaves alone."""

from __future__ import annotations

from medscribe.engine.specialty.correction import correct_items, find_matches, propose
from medscribe.engine.specialty.lexicon import from_vocabulary, load_lexicon
from medscribe.transcript import Item
from medscribe.transcript.model import join_items
from medscribe.vocabulary import VocabularyEntry


def words(text: str, confidence: float = 0.95, step: float = 0.4) -> list[Item]:
    """Timed items of ``text``; a trailing '.' or ',' becomes a punctuation item."""
    items: list[Item] = []
    t = 0.0
    for token in text.split():
        mark = token[-1] if token[-1] in ".," else ""
        word = token.rstrip(".,")
        items.append(Item(word, start=round(t, 2), end=round(t + 0.3, 2), confidence=confidence))
        if mark:
            items.append(Item(mark, type="punctuation"))
        t += step
    return items


def test_a_misheard_drug_becomes_the_lexicon_term_with_honest_times():
    items = words("start midoprolal twice daily.")
    items[1].confidence = 0.41
    out = correct_items(items, load_lexicon("cardiology"))
    assert join_items(out) == "start metoprolol twice daily."
    fixed = out[1]
    assert (fixed.start, fixed.end, fixed.confidence) == (items[1].start, items[1].end, 0.41)


def test_several_words_merge_into_one_term_spanning_them():
    # One term in force: with the broad lexicon "a pixel in" spells as much like
    # "auxilin" as like "apixaban", and only the audio can tell (test_scoring.py).
    items = words("continue a pixel in five milligrams")
    for item, confidence in zip(items[1:4], (0.5, 0.3, 0.7), strict=True):
        item.confidence = confidence
    out = correct_items(items, from_vocabulary([VocabularyEntry("apixaban")]))
    assert [i.content for i in out] == ["continue", "apixaban", "five", "milligrams"]
    assert out[1].start == items[1].start and out[1].end == items[3].end
    assert out[1].confidence == 0.3


def test_ordinary_speech_heard_with_confidence_is_left_alone():
    lexicon = load_lexicon("cardiology")
    for text in (
        "I have chest pain when I walk up the stairs.",
        "My ankles swell by the evening and I feel tired.",
        "The pressure was fine, the pills are in the kitchen.",
    ):
        items = words(text)
        assert correct_items(items, lexicon) == items


def test_numbers_terms_and_punctuation_bound_a_run():
    lexicon = load_lexicon("oncology")
    items = words("oxalaplatan 130 milligrams.")
    out = correct_items(items, lexicon)
    assert [i.content for i in out] == ["oxaliplatin", "130", "milligrams", "."]
    # A word that already is a term is never swallowed into a neighbour's match.
    items = words("no Babinski sign")
    items[0].confidence = 0.3
    assert correct_items(items, load_lexicon("neurology")) == items


def test_inflections_of_real_words_are_not_corrections():
    items = words("platelet count and angiographic result", confidence=0.4)
    assert correct_items(items, load_lexicon("cardiology")) == items


def test_matches_need_a_threshold():
    lexicon = load_lexicon("cardiology")
    assert find_matches(["tropinin"], [0.4], lexicon)
    assert not find_matches(["trombone"], [0.4], lexicon)


def test_custom_sounds_like_and_display_as():
    vocabulary = from_vocabulary(
        [VocabularyEntry("finerenone", sounds_like="fin-er-en-own", display_as="Kerendia")]
    )
    lexicon = load_lexicon("primarycare") + vocabulary
    items = words("we added fin or in own last week")
    for item in items[2:6]:
        item.confidence = 0.45
    out = correct_items(items, lexicon)
    assert [i.content for i in out] == ["we", "added", "Kerendia", "last", "week"]
    # A custom phrase heard right is shown as its DisplayAs too.
    out = correct_items(words("stop finerenone today"), lexicon)
    assert [i.content for i in out] == ["stop", "Kerendia", "today"]


def test_a_term_with_a_plural_or_possessive_s_is_not_a_mishearing():
    # A tune dictation lost "McMurray's test" to "McMurray test" this way.
    lexicon = from_vocabulary([VocabularyEntry("McMurray"), VocabularyEntry("apixaban")])
    for heard in (["McMurray's", "test"], ["apixabans"]):
        assert not propose(heard, [0.4] * len(heard), lexicon)
        assert correct_items(words(" ".join(heard), confidence=0.4), lexicon)[0].content == heard[0]


def test_a_filled_pause_is_never_part_of_a_rewrite():
    lexicon = load_lexicon("primarycare")
    heard = ["symptoms", "um", "so", "I", "think"]
    for p in propose(heard, [0.9, 0.3, 0.4, 0.9, 0.9], lexicon):
        assert "um" not in heard[p.start : p.stop]
    items = words("symptoms um so I think", confidence=0.3)
    assert "um" in [i.content for i in correct_items(items, lexicon)]
