"""NPPES client against recorded responses, offline files and profile merging (no network)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import httpx
import pytest

from medcoder.casework import providers as pv


@pytest.fixture()
def recorded(casework_dir):  # noqa: ANN001, ANN201
    def load(name: str) -> dict:
        return json.loads((casework_dir / "nppes" / name).read_text())

    return load


def _client(handler, sleeps: list[float] | None = None) -> pv.NppesClient:
    return pv.NppesClient(
        transport=httpx.MockTransport(handler),
        sleep=(sleeps.append if sleeps is not None else lambda s: None),
    )


def test_lookup_by_npi_parses_basic_taxonomies_and_addresses(recorded) -> None:
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(dict(request.url.params))
        return httpx.Response(200, json=recorded("npi_1999999984.json"))

    record = _client(handler).lookup("1999999984")
    assert seen[0] == {"version": "2.1", "number": "1999999984"}
    assert record.number == "1999999984" and record.last_name == "ORDWIN"
    assert record.taxonomies[0].code == "207P00000X" and record.taxonomies[0].primary
    assert record.addresses[0]["address_purpose"] == "LOCATION"


def test_search_pages_with_limit_and_skip_until_a_short_page(recorded) -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        params = dict(request.url.params)
        calls.append((params["limit"], params["skip"]))
        page = "search_page1.json" if params["skip"] == "0" else "search_page2.json"
        return httpx.Response(200, json=recorded(page))

    records = _client(handler).search(last_name="SAMPLESON", state="PA", limit=500)
    assert calls == [("200", "0"), ("200", "200")]  # limit capped at 200
    assert len(records) == 237


def test_search_never_skips_past_the_api_cap(recorded) -> None:
    skips = []

    def handler(request: httpx.Request) -> httpx.Response:
        skips.append(int(request.url.params["skip"]))
        return httpx.Response(200, json=recorded("search_page1.json"))

    records = _client(handler).search(last_name="SAMPLESON")
    assert max(skips) == 1000 and len(records) == 1200


def test_429_then_success_backs_off_and_honours_retry_after(recorded) -> None:
    answers = iter([
        httpx.Response(429, headers={"Retry-After": "3"}),
        httpx.Response(503),
        httpx.Response(200, json=recorded("npi_1999999984.json")),
    ])  # fmt: skip
    sleeps: list[float] = []
    record = _client(lambda request: next(answers), sleeps).lookup("1999999984")
    assert record is not None and sleeps == [3.0, 2.0]


def test_persistent_5xx_raises_after_the_retries() -> None:
    client = pv.NppesClient(
        transport=httpx.MockTransport(lambda r: httpx.Response(500)),
        max_retries=2,
        sleep=lambda s: None,
    )
    with pytest.raises(pv.ProviderLookupError, match="500 after 3 tries"):
        client.lookup("1999999984")


def test_registry_error_payload_and_bad_npi_raise(recorded) -> None:
    client = _client(lambda r: httpx.Response(200, json=recorded("error.json")))
    with pytest.raises(pv.ProviderLookupError, match="requires 10 digits"):
        client.search(number="04")
    with pytest.raises(pv.ProviderLookupError):
        client.lookup("12345")


def test_unknown_npi_is_none(recorded) -> None:
    assert (
        _client(lambda r: httpx.Response(200, json=recorded("empty.json"))).lookup("1234567893")
        is None
    )


def test_offline_nppes_nucc_and_leie_merge_into_a_profile(casework_dir) -> None:
    folder = casework_dir / "nppes"
    records = list(pv.read_nppes_csv(folder / "nppes_sample.csv", last_name="Brisk"))
    assert [r.number for r in records] == ["1888888880"]
    quill = next(pv.read_nppes_csv(folder / "nppes_sample.csv", npi="1777777772"))
    assert [t.code for t in quill.taxonomies if t.primary] == ["207R00000X"]
    nucc = pv.load_nucc_taxonomy(folder / "nucc_sample.csv")
    leie = pv.read_leie_csv(folder / "leie_sample.csv")
    assert leie[1].npi is None and leie[0].reinstatement_date is None
    stamp = datetime(2024, 1, 2, tzinfo=UTC)
    profile = pv.build_profile(
        "Orrin Brisk", records[0], source="NPPES file", taxonomy=nucc, leie=leie, retrieved_at=stamp
    )
    assert profile.name_match_confidence >= 0.9
    assert len(profile.exclusions) == 1 and "matched by NPI" in next(
        f.value for f in profile.facts if f.field == "oig_exclusion"
    )
    assert all(f.source and f.retrieved_at == stamp.isoformat() for f in profile.facts)
    assert any(f.source == "NUCC taxonomy" and "Surgery" in str(f.value) for f in profile.facts)


def test_name_match_handles_hyphenated_maiden_and_initials() -> None:
    assert pv.name_match_confidence("Vale Ordwin", "VALE", "ORDWIN", "K") >= 0.95
    assert (
        pv.name_match_confidence(
            "Vale Testmaiden", "VALE", "ORDWIN", other_last_names=("TESTMAIDEN",)
        )
        >= 0.9
    )
    assert 0.8 <= pv.name_match_confidence("Alex Sampleson", "ALEX", "SAMPLESON-REYES") < 1.0
    assert pv.name_match_confidence("A. Sampleson", "ALEX", "SAMPLESON") < pv.name_match_confidence(
        "Alex Sampleson", "ALEX", "SAMPLESON"
    )
    assert pv.name_match_confidence("Alex Sampleson", "ALEX", "OTHERNAME") == 0.0
    assert pv.name_match_confidence("Sampleson, Alex", "ALEX", "SAMPLESON") >= 0.95


def test_nucc_loader_reads_the_published_taxonomy(shared_data) -> None:
    nucc = pv.load_nucc_taxonomy(shared_data / "nucc" / "nucc_taxonomy_251.csv")
    assert len(nucc) > 800
    assert nucc["207P00000X"].classification == "Emergency Medicine"
