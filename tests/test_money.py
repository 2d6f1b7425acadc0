"""Amounts in Chinese capitals (人民币大写), as the printed refund list and receipts write them."""

from decimal import Decimal

import pytest

from config.money import LARGEST, rmb_capitals
from students.models import Contract


@pytest.mark.parametrize(
    ("amount", "capitals"),
    [
        ("0", "零元整"),
        ("0.05", "伍分"),
        ("0.5", "伍角"),
        ("1.05", "壹元零伍分"),
        ("10", "壹拾元整"),
        ("16", "壹拾陆元整"),
        ("110", "壹佰壹拾元整"),
        ("1001", "壹仟零壹元整"),
        ("1200", "壹仟贰佰元整"),
        ("6007.14", "陆仟零柒元壹角肆分"),
        ("10010.5", "壹万零壹拾元伍角"),
        ("16409.02", "壹万陆仟肆佰零玖元零贰分"),
        ("105000", "壹拾万零伍仟元整"),
        ("1000000", "壹佰万元整"),
        ("1234567.89", "壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分"),
        ("100000001", "壹亿零壹元整"),
        ("100001000", "壹亿零壹仟元整"),
        ("100010000", "壹亿零壹万元整"),
    ],
)
def test_amounts_in_chinese_capitals(amount, capitals):
    assert rmb_capitals(Decimal(amount)) == capitals


def test_the_largest_amount_a_contract_allows():
    field = Contract._meta.get_field("amount")
    largest = Decimal(10 ** (field.max_digits - field.decimal_places)) - Decimal("0.01")
    assert largest <= LARGEST
    assert rmb_capitals(largest) == "玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"


def test_fractions_of_a_fen_round_half_up():
    assert rmb_capitals(Decimal("0.005")) == "壹分"
    assert rmb_capitals(Decimal("9.994")) == "玖元玖角玖分"


@pytest.mark.parametrize("amount", ["-0.01", "1000000000000"])
def test_no_capitals_outside_what_a_bill_holds(amount):
    with pytest.raises(ValueError):
        rmb_capitals(Decimal(amount))
