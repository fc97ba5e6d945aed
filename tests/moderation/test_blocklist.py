from __future__ import annotations

from shared.moderation.blocklist import Blocklists


def test_matches_whole_words_case_insensitively() -> None:
    lists = Blocklists({"competitors": ["Contoso"]})
    hits = lists.match("We beat CONTOSO, but contosolabs is fine.")
    assert [(hit.blocklist, hit.term, hit.start, hit.end) for hit in hits] == [("competitors", "Contoso", 8, 15)]


def test_multiword_terms_allow_any_whitespace() -> None:
    hits = Blocklists({"projects": ["project falcon"]}).match("Status of Project\n  Falcon?")
    assert [hit.term for hit in hits] == ["project falcon"]


def test_terms_with_symbols_match_at_their_edges() -> None:
    lists = Blocklists({"langs": ["c++", "@ops-team"]})
    assert [hit.term for hit in lists.match("we use C++ and ping @ops-team daily")] == ["c++", "@ops-team"]
    assert lists.match("we use c and ping ops-team") == []


def test_several_named_lists_report_their_own_name() -> None:
    lists = Blocklists({"a": ["alpha"], "b": ["beta", "alpha"]})
    hits = lists.match("alpha beta")
    assert sorted((hit.blocklist, hit.term) for hit in hits) == [
        ("a", "alpha"),
        ("b", "alpha"),
        ("b", "beta"),
    ]
    assert lists.names == ["a", "b"]


def test_empty_lists_match_nothing() -> None:
    lists = Blocklists({"empty": ["", "  "]})
    assert not lists
    assert lists.match("anything at all") == []
    assert Blocklists().match("text") == []


def test_regex_characters_in_terms_are_literal() -> None:
    hits = Blocklists({"x": ["a.b"]}).match("axb a.b")
    assert [(hit.start, hit.end) for hit in hits] == [(4, 7)]
