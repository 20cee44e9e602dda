"""The pure half of the SMPP adapter: segmenting, encodings, receipts, status codes."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smsguard.gateway.providers import smpp_codec as codec
from smsguard.gateway.providers.base import DeliveryReport, InboundSms
from smsguard.screening.facts.segments import segment_info

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def _text_of(encoded: codec.EncodedSms) -> str:
    """Reassemble what a handset would show, checking each part decodes on its own."""
    texts = []
    for part in encoded.parts:
        _, body = codec.split_udh(part) if encoded.esm_class & 0x40 else (None, part)
        if encoded.data_coding == codec.DC_UCS2:
            texts.append(body.decode("utf-16-be"))  # strict: a split surrogate would raise
        else:
            texts.append(codec.gsm_decode(body))
    return "".join(texts)


def test_plain_text_is_one_gsm_part_in_the_default_alphabet() -> None:
    encoded = codec.encode_sms("@£ ok €", reference=7)
    assert (encoded.data_coding, encoded.esm_class) == (0x00, 0)
    assert encoded.parts == (b"\x00\x01\x20ok\x20\x1b\x65",)


def test_ascii_charset_sends_ascii_octets_and_falls_back_for_non_ascii() -> None:
    assert codec.encode_sms("a{b}", 0, "ascii").parts == (b"a{b}",)
    assert codec.encode_sms("café", 0, "ascii").data_coding == codec.DC_UCS2


def test_chinese_text_is_ucs2_big_endian() -> None:
    encoded = codec.encode_sms("退订", reference=0)
    assert encoded.data_coding == 0x08
    assert encoded.parts == ("退订".encode("utf-16-be"),)


@pytest.mark.parametrize(
    ("text", "parts", "sizes"),
    [
        ("a" * 160, 1, [160]),
        ("a" * 161, 2, [153, 8]),
        ("a" * 152 + "€" + "a" * 10, 2, [152, 12]),  # the escape pair is not split across parts
        ("借" * 70, 1, [140]),
        ("借" * 71, 2, [134, 8]),
        ("借" * 66 + "😀" + "借" * 5, 2, [132, 14]),  # nor is a surrogate pair
    ],
)
def test_long_texts_split_at_part_limits_without_breaking_characters(
    text: str, parts: int, sizes: list[int]
) -> None:
    encoded = codec.encode_sms(text, reference=0x1FF)
    assert len(encoded.parts) == parts
    udh = 6 if parts > 1 else 0
    assert [len(p) - udh for p in encoded.parts] == sizes
    assert _text_of(encoded) == text


def test_concatenated_parts_carry_an_8bit_udh_with_one_reference() -> None:
    encoded = codec.encode_sms("借" * 150, reference=0x1AB)
    assert encoded.esm_class == 0x40
    assert [p[:6] for p in encoded.parts] == [bytes([5, 0, 3, 0xAB, 3, i]) for i in (1, 2, 3)]


def test_more_than_255_parts_is_refused() -> None:
    with pytest.raises(ValueError, match="255"):
        codec.encode_sms("借" * 67 * 256, reference=0)


@given(st.text(alphabet="ab 1,.借款年化利率【】", min_size=1, max_size=700))
def test_part_count_matches_what_screening_bills(text: str) -> None:
    assert len(codec.encode_sms(text, 0).parts) == segment_info(text).parts


@pytest.mark.parametrize(
    ("payload", "dc", "text"),
    [
        ("退订".encode("utf-16-be"), 0x08, "退订"),
        ("退订".encode("gbk"), 0x0F, "退订"),
        (b"STOP\x00\x1b\x65", 0x00, "STOP@€"),
        (b"caf\xe9", 0x03, "café"),
        (b"TD", 0xF0, "TD"),
    ],
)
def test_mo_text_decodes_by_data_coding(payload: bytes, dc: int, text: str) -> None:
    assert codec.decode_text(payload, dc) == text


def test_reassembler_joins_parts_in_any_order_and_is_bounded() -> None:
    joiner = codec.Reassembler(max_pending=1)
    assert joiner.add("138", codec.Concat(9, 2, 2), "world") is None
    assert joiner.add("138", codec.Concat(9, 2, 1), "hello ") == "hello world"
    assert joiner.add("a", codec.Concat(1, 2, 1), "x") is None
    assert joiner.add("b", codec.Concat(1, 2, 1), "y") is None  # evicts a's message
    assert joiner.add("a", codec.Concat(1, 2, 2), "z") is None


def test_receipt_text_is_parsed() -> None:
    text = (
        "id:0A1B2C sub:001 dlvd:000 submit date:2501011200 done date:2501011201"
        " stat:UNDELIV err:013 text:hi"
    )
    assert codec.parse_receipt(text) == codec.Receipt("0A1B2C", "UNDELIV", "013")


def test_receipt_tlvs_win_over_the_text() -> None:
    receipt = codec.parse_receipt("id:42 stat:DELIVRD err:000", receipted_id="abc", state=5)
    assert receipt == codec.Receipt("abc", "UNDELIV", "000")
    assert codec.parse_receipt("no fields here") is None


@pytest.mark.parametrize(
    ("stat", "status"),
    [("DELIVRD", "delivered"), ("UNDELIV", "undelivered"), ("EXPIRED", "expired"),
     ("REJECTD", "rejected"), ("DELETED", "undelivered"), ("ENROUTE", None),
     ("WHATEVER", "unknown")],
)  # fmt: skip
def test_receipt_states_map_to_delivery_statuses(stat: str, status: str | None) -> None:
    assert codec.receipt_status(stat) == status


@pytest.mark.parametrize(
    ("status", "name", "transient"),
    [(0x58, "ESME_RTHROTTLED", True), (0x14, "ESME_RMSGQFUL", True),
     (0x08, "ESME_RSYSERR", True), (0x0B, "ESME_RINVDSTADR", False),
     (0x0A, "ESME_RINVSRCADR", False), (0x45, "ESME_RSUBMITFAIL", False),
     (0x0401, "VENDOR_0x0401", False)],
)  # fmt: skip
def test_command_status_names_and_transience(status: int, name: str, transient: bool) -> None:
    assert (codec.status_name(status), codec.is_transient(status)) == (name, transient)


def test_a_receipt_deliver_sm_becomes_a_delivery_report() -> None:
    pdu = SimpleNamespace(
        esm_class=0x04,
        data_coding=0,
        short_message=b"id:77 sub:001 dlvd:000 stat:EXPIRED err:005 text:",
        receipted_message_id=None,
        message_state=None,
        source_addr=b"8613812345678",
    )
    event = codec.deliver_event(pdu, codec.Reassembler(), "gsm0338", NOW)
    assert event == DeliveryReport(None, "77", "expired", "EXPIRED err:005", NOW)


def test_an_intermediate_receipt_reports_nothing() -> None:
    pdu = SimpleNamespace(esm_class=0x20, short_message=b"id:77 stat:ENROUTE err:000")
    assert codec.deliver_event(pdu, codec.Reassembler(), "gsm0338", NOW) is None


def test_concatenated_mo_parts_become_one_inbound_sms() -> None:
    joiner = codec.Reassembler()

    def part(seq: int, text: str) -> SimpleNamespace:
        udh = bytes([5, 0, 3, 0x11, 2, seq])
        return SimpleNamespace(esm_class=0x40, data_coding=8, source_addr=b"8613812345678",
                               destination_addr=b"10690001",
                               short_message=udh + text.encode("utf-16-be"))  # fmt: skip

    assert codec.deliver_event(part(1, "我要"), joiner, "gsm0338", NOW) is None
    event = codec.deliver_event(part(2, "投诉"), joiner, "gsm0338", NOW)
    assert event == InboundSms("8613812345678", "我要投诉", NOW, recipient="10690001")


def test_refusals_after_the_first_part_are_permanent_partial_failures() -> None:
    first = codec.refusal_error("m1", 0x58, 0, 3)
    later = codec.refusal_error("m1", 0x58, 1, 3)
    assert (first.reason, first.transient) == ("ESME_RTHROTTLED", True)
    assert (later.reason, later.transient) == ("PARTIAL:ESME_RTHROTTLED", False)


@pytest.mark.parametrize(
    ("written", "index", "reason", "transient"),
    [(False, 0, "SMPP_NOT_BOUND", True), (True, 0, "SMPP_NO_RESPONSE", False),
     (False, 1, "PARTIAL:SMPP_NO_RESPONSE", False)],
)  # fmt: skip
def test_only_a_never_written_first_part_may_be_retried(
    written: bool, index: int, reason: str, transient: bool
) -> None:
    err = codec.lost_error("m1", "bind broke", written, index, 2, ["id-1"][:index])
    assert (err.reason, err.transient) == (reason, transient)
    assert err.uncertain is (not transient), "a lost answer is never resent"
