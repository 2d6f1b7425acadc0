"""Amounts of money as a family signs them: in Chinese capitals (人民币大写), the way bills and
receipts must write them (《正确填写票据和结算凭证的基本规定》): 壹仟零壹元整, 壹万零壹拾元伍角.

The rules followed: 壹 before every 拾 (壹拾元整, not 拾元整); one 零 for any run of zeros between two
written digits, across 万 and 亿 as well (壹亿零壹仟元整); 整 after 元 when there are no 角 and 分, none
after 角 or 分; 零 between 元 and 分 when 角 is zero (壹元零伍分); below one yuan, the 角 and 分 alone
(伍分); nothing at all is 零元整.
"""

from decimal import ROUND_HALF_UP, Decimal

DIGITS = "零壹贰叁肆伍陆柒捌玖"
PLACES = ("", "拾", "佰", "仟")  # within a group of four digits
GROUPS = ("", "万", "亿")  # each group of four digits, from the right
LARGEST = Decimal("999999999999.99")  # 玖仟玖佰玖拾玖亿…: more than any contract can hold


def rmb_capitals(amount: Decimal | int | str) -> str:
    """The amount (yuan, rounded to the fen) in Chinese capitals, without the word 人民币."""
    fen_total = int((Decimal(amount) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    if fen_total < 0 or fen_total > LARGEST * 100:
        raise ValueError(f"no capitals for {amount}: from 0 to {LARGEST} yuan")
    yuan, cents = divmod(fen_total, 100)
    jiao, fen = divmod(cents, 10)
    if not yuan:
        if not cents:
            return "零元整"
        return (f"{DIGITS[jiao]}角" if jiao else "") + (f"{DIGITS[fen]}分" if fen else "")
    text = _yuan(yuan) + "元"
    if not cents:
        return text + "整"
    if jiao:
        return text + f"{DIGITS[jiao]}角" + (f"{DIGITS[fen]}分" if fen else "")
    return text + f"零{DIGITS[fen]}分"


def _yuan(yuan: int) -> str:
    """A whole number of yuan (> 0) in capitals, digit by digit from the left."""
    digits = str(yuan)
    words, zero_pending = [], False
    for index, char in enumerate(digits):
        position = len(digits) - 1 - index  # 0 for the units
        digit = int(char)
        if digit:
            if zero_pending:
                words.append("零")
            words.append(DIGITS[digit] + PLACES[position % 4])
            zero_pending = False
        elif words:
            zero_pending = True
        if position % 4 == 0 and position and _group_has_digits(digits, position):
            words.append(GROUPS[position // 4])
    return "".join(words)


def _group_has_digits(digits: str, position: int) -> bool:
    """Whether the group of four digits ending at `position` (counted from the units) is not all zero."""
    end = len(digits) - position
    return any(char != "0" for char in digits[max(0, end - 4) : end])
