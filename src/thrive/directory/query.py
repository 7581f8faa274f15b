"""Reading what someone typed into the directory search: plain Python, no Django.

The words are split, misspellings corrected and each word (or known phrase) expanded with the
reviewed synonym list in `data/search_words.txt`. The result is a list of groups, one per thing
the person asked for; a service matches a group if it matches any of the group's alternatives,
and an alternative matches if every one of its words is there (stemmed by the database). A
service need only match one group to be found; the more groups it matches, the higher it ranks.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

WORDS_FILE = Path(__file__).resolve().parent / "data" / "search_words.txt"
# Words that carry no meaning in a search for help.
STOPWORDS = frozenset({
    "a", "an", "the", "and", "or", "for", "of", "to", "in", "on", "with", "my", "me", "i", "im",
    "is", "at", "near", "about", "who", "people", "young", "person", "am", "are", "be", "been",
    "do", "does", "can", "could", "get", "got", "how", "what", "where", "when", "there", "some",
    "someone", "something", "any", "it", "its", "this", "that", "so", "very", "really", "just",
    "feel", "feeling", "feelings", "need", "needs", "want", "looking", "find", "from", "by", "s",
    "you", "your", "we", "our", "us", "he", "she", "they", "them", "his", "her", "their", "have",
    "has", "keep", "always", "all", "lot", "lots", "bit", "quite", "like", "if", "not", "time",
    "times", "often", "much", "too", "was", "were", "will", "would", "should",
})
# Words that describe nearly every service: they count, but little.
SOFT_WORDS = frozenset({"help", "support", "service", "services", "advice", "group", "groups",
                        "local", "free", "northvale"})
MAX_PHRASE = 4
MAX_GROUPS = 8


@dataclass(frozen=True)
class Vocabulary:
    synonyms: dict[tuple[str, ...], tuple[tuple[str, ...], ...]]
    misspellings: dict[str, str]
    risk: frozenset[tuple[str, ...]]

    @property
    def known_words(self) -> set[str]:
        words = set(self.misspellings.values())
        for key, values in self.synonyms.items():
            words.update(key)
            for value in values:
                words.update(value)
        return words


def tokens(text: str) -> list[str]:
    """Lower-case words: "Children's self-harm" -> ["children", "self", "harm"]."""
    text = (text or "").lower().replace("\u2019", "'").replace("'s", "")
    return re.findall(r"[a-z0-9]+", text)


def parse_words_file(text: str) -> Vocabulary:
    synonyms: dict[tuple[str, ...], tuple[tuple[str, ...], ...]] = {}
    misspellings: dict[str, str] = {}
    risk: set[tuple[str, ...]] = set()
    section = ""
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip()
            continue
        if section == "risk":
            risk.add(tuple(tokens(line)))
            continue
        left, equals, right = line.partition("=")
        if not equals or not tokens(left) or not tokens(right):
            raise ValueError(f"search words line {number}: expected 'words = other words'")
        if section == "synonyms":
            key = tuple(tokens(left))
            values = [tuple(tokens(v)) for v in right.split(",") if tokens(v)]
            synonyms[key] = tuple(dict.fromkeys(synonyms.get(key, ()) + tuple(values)))
        elif section == "misspellings":
            misspellings[" ".join(tokens(left))] = " ".join(tokens(right))
        else:
            raise ValueError(f"search words line {number}: not in a [section]")
    return Vocabulary(synonyms, misspellings, frozenset(risk))


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    return parse_words_file(WORDS_FILE.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Group:
    """One thing the person asked for, with every way a listing might say it."""

    text: str
    alternatives: tuple[tuple[str, ...], ...]
    soft: bool

    @property
    def weight(self) -> float:
        return 0.3 if self.soft else 1.0


@dataclass(frozen=True)
class Query:
    text: str
    groups: tuple[Group, ...]
    risk: bool
    corrected: str  # the query with misspellings put right ("" if none were)


def _correct(words: list[str], vocab: Vocabulary) -> tuple[list[str], bool]:
    out, changed = [], False
    for word in words:
        fixed = vocab.misspellings.get(word)
        if fixed:
            out.extend(fixed.split())
            changed = True
        else:
            out.append(word)
    # Misspellings of phrases ("self-harm" is typed as one word, "selfharm")
    return out, changed


def _clean(alternative: tuple[str, ...]) -> tuple[str, ...]:
    kept = tuple(w for w in alternative if w not in STOPWORDS)
    return kept or alternative


def parse(text: str, vocab: Vocabulary | None = None) -> Query:
    vocab = vocab or vocabulary()
    words, changed = _correct(tokens(text), vocab)
    risk = _has_risk(words, vocab)
    groups: list[Group] = []
    i = 0
    while i < len(words) and len(groups) < MAX_GROUPS:
        for size in range(min(MAX_PHRASE, len(words) - i), 0, -1):
            key = tuple(words[i:i + size])
            if key in vocab.synonyms and (size > 1 or key[0] not in STOPWORDS):
                # A known phrase is looked for as typed (every word of it), then its synonyms.
                typed = key if size > 1 else _clean(key)
                alternatives = (typed,) + tuple(_clean(v) for v in vocab.synonyms[key])
                groups.append(Group(" ".join(key), tuple(dict.fromkeys(alternatives)), False))
                i += size
                break
        else:
            word = words[i]
            i += 1
            if word in STOPWORDS or len(word) < 2 and not word.isdigit():
                continue
            groups.append(Group(word, ((word,),), word in SOFT_WORDS))
    unique = list({g.text: g for g in groups}.values())
    if unique and all(g.soft for g in unique):
        unique = [Group(g.text, g.alternatives, False) for g in unique]
    return Query(text, tuple(unique), risk, " ".join(words) if changed else "")


def _has_risk(words: list[str], vocab: Vocabulary) -> bool:
    for start in range(len(words)):
        for size in range(1, MAX_PHRASE + 1):
            if tuple(words[start:start + size]) in vocab.risk:
                return True
    return False


def suggest(word: str, known: set[str]) -> str:
    """The closest known word to a word that matched nothing ("" if none is close)."""
    if len(word) < 4:
        return ""
    found = difflib.get_close_matches(word, known, n=1, cutoff=0.8)
    return found[0] if found else ""
