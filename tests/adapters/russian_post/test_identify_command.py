"""`hub identify NUMBER`: candidates, check digits, S10 service and country, exit codes."""

from __future__ import annotations

import argparse
import json

import pytest

from hub.cli.identify import add_parser, run

pytestmark = pytest.mark.unit


def identify(capsys: pytest.CaptureFixture[str], number: str, *, as_json: bool = False) -> tuple[int, str, str]:
    code = run(argparse.Namespace(number=number, json=as_json))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_valid_s10_human_readable(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = identify(capsys, "RR123456785CN")
    assert code == 0 and err == ""
    assert out.splitlines() == [
        "s10:RR123456785CN  (level parcel; check digit valid; service: letter post, registered; country CN)"
    ]


def test_spec_s10_with_bad_check_digit_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    # docs/partners/README.md#soft-check-digits, docs/partners/README.md#s10-examples: the spec's RA644000001RU has a
    # wrong check digit; it is still an S10.
    code, out, _ = identify(capsys, "RA644000001RU", as_json=True)
    assert code == 0
    assert len(out.splitlines()) == 1
    payload = json.loads(out)
    assert payload["ambiguous"] is False
    [candidate] = payload["candidates"]
    assert candidate["identifier"] == "s10:RA644000001RU"
    assert candidate["check_digit_valid"] is False
    assert candidate["service"] == "letter post, registered"
    assert (candidate["country"], candidate["level"]) == ("RU", "parcel")


def test_ems_service(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = identify(capsys, "EA123456785RU", as_json=True)
    assert json.loads(out)["candidates"][0]["service"] == "EMS"


def test_fourteen_digits_are_ambiguous(capsys: pytest.CaptureFixture[str]) -> None:
    # docs/partners/russian-post.md#14-digit-barcode: a 14-digit ШПИ, first 6 digits the accepting office; 12–20 digits
    # also fit an AliExpress order.
    code, out, _ = identify(capsys, "45008378901234", as_json=True)
    assert code == 0
    payload = json.loads(out)
    assert payload["ambiguous"] is True
    by_scheme = {c["scheme"]: c for c in payload["candidates"]}
    assert set(by_scheme) == {"rp", "aliexpress_order"}
    assert by_scheme["rp"]["check_digit_valid"] is False
    assert by_scheme["rp"]["accepting_office"] == "450083"
    assert by_scheme["aliexpress_order"]["level"] == "order"
    assert by_scheme["aliexpress_order"]["check_digit_valid"] is None


def test_ambiguous_human_readable_lists_each_candidate(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = identify(capsys, "14102192069353")
    lines = out.splitlines()
    assert code == 0
    assert lines[0] == "14102192069353: 2 candidates"
    assert "rp:14102192069353  (level parcel; check digit valid; accepting office 141021)" in lines
    assert len(lines) == 3


def test_prefixed_value_is_normalised(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = identify(capsys, "s10:rr 123 456 785 cn", as_json=True)
    assert code == 0
    assert [c["identifier"] for c in json.loads(out)["candidates"]] == ["s10:RR123456785CN"]


@pytest.mark.parametrize("number", ["hello world!", "", "s10:RR1", "rp:123"])
def test_no_scheme_is_an_error(capsys: pytest.CaptureFixture[str], number: str) -> None:
    code, out, err = identify(capsys, number)
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert err.startswith("hub identify: ")


def test_add_parser_wires_number_and_json() -> None:
    parser = argparse.ArgumentParser(prog="hub")
    add_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["identify", "RR123456785CN", "--json"])
    assert (args.command, args.number, args.json) == ("identify", "RR123456785CN", True)
