"""WeCom (企业微信) application messages: the client of its server API, over HTTPS.

An application of the company (corp id, agent id, secret) asks for an access token and sends each
message as a text card to one person's WeCom account. The token lasts `expires_in` seconds (7,200);
it is kept in the shared cache until five minutes before it runs out, so every worker asks for one
about every two hours, and asked for again at once when WeCom says it is invalid or expired.

Errors are named so that the administrator reading a failed delivery knows what to fix; neither the
secret nor a token is ever part of an error or a log line.
"""

import json
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.core.cache import cache

# https://developer.work.weixin.qq.com/document/path/90313 (全局错误码)
TOKEN_INVALID = {40014, 42001}  # 不合法的access_token, access_token已过期
BUSY = {45009, 45033}  # 接口调用超过限制, 接口并发调用超过限制
UNKNOWN_USER = {40003, 60111, 81013}  # 无效的UserID, UserID不存在, UserID全部非法或无权限
EXPLAINED = {
    40001: "the secret (WECOM_SECRET) is not the application's secret",
    40013: "the corp id (WECOM_CORP_ID) is not the company's",
    40056: "the agent id (WECOM_AGENT_ID) is not the application's",
    60020: "this server's address is not among the application's trusted IPs (企业可信IP)",
    **dict.fromkeys(UNKNOWN_USER, "WeCom does not know this account in the application's visible range"),
}
HTTP_BUSY = {429, 503}

TITLE_BYTES, DESCRIPTION_BYTES, URL_BYTES = 128, 512, 2048  # the text card's limits
TOKEN_MARGIN = 300  # seconds: a cached token is dropped this long before WeCom would refuse it


class WeComError(Exception):
    """WeCom refused a call: its error code and what it means for the administrator."""

    def __init__(self, errcode: int, errmsg: str):
        self.errcode = errcode
        meaning = EXPLAINED.get(errcode, errmsg)
        super().__init__(f"WeCom error {errcode}: {meaning}")


class WeComBusy(WeComError):
    """WeCom asks the company to slow down (rate or concurrency limit, or the server overloaded)."""


def configured() -> bool:
    """Whether the company connected its WeCom: without a corp id and secret nobody is offered it."""
    return bool(settings.WECOM_CORP_ID and settings.WECOM_SECRET)


def _token_key() -> str:
    return f"wecom-token:{settings.WECOM_CORP_ID}:{settings.WECOM_AGENT_ID}"


def access_token() -> str:
    """The application's access token: the cached one, or a new one from WeCom."""
    return cache.get(_token_key()) or _token_fetch()


def _token_fetch() -> str:
    query = {"corpid": settings.WECOM_CORP_ID, "corpsecret": settings.WECOM_SECRET}
    answer = _call("GET", "/cgi-bin/gettoken", query)
    token, lifetime = answer["access_token"], int(answer.get("expires_in", 7200))
    cache.set(_token_key(), token, timeout=max(lifetime - TOKEN_MARGIN, 1))
    return token


def text_card(userid: str, title: str, description: str, url: str) -> dict:
    """The body of one text card for one person, within WeCom's limits (cut in bytes of UTF-8)."""
    return {
        "touser": userid,
        "msgtype": "textcard",
        "agentid": settings.WECOM_AGENT_ID,
        "textcard": {
            "title": cut_bytes(title, TITLE_BYTES),
            "description": cut_bytes(description, DESCRIPTION_BYTES),
            "url": url if len(url.encode()) <= URL_BYTES else settings.SITE_URL + "/",
        },
    }


def cut_bytes(text: str, limit: int) -> str:
    """The text, or its longest beginning that with "…" fits `limit` bytes, never half a character."""
    if len(text.encode()) <= limit:
        return text
    kept = text.encode()[: limit - len("…".encode())].decode(errors="ignore")
    return kept + "…"


def send_text_card(userid: str, title: str, description: str, url: str) -> None:
    """Sends one text card; an expired token is replaced and the card sent once more."""
    card = text_card(userid, title, description, url)
    try:
        answer = _send(card, access_token())
    except WeComError as error:
        if error.errcode not in TOKEN_INVALID:
            raise
        cache.delete(_token_key())
        answer = _send(card, _token_fetch())
    if answer.get("invaliduser"):
        # With one recipient WeCom answers 81013; a partial answer names the account it refused.
        raise WeComError(81013, "invaliduser")


def _send(card: dict, token: str) -> dict:
    return _call("POST", "/cgi-bin/message/send", {"access_token": token}, card)


def _call(method: str, path: str, query: dict, body: dict | None = None) -> dict:
    """One call of WeCom's API; its answer when errcode is 0, else WeComError (WeComBusy for limits)."""
    url = f"{settings.WECOM_API_URL}{path}?{urllib.parse.urlencode(query)}"
    data = json.dumps(body, ensure_ascii=False).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Content-Type", "application/json; charset=utf-8")
    try:
        with urllib.request.urlopen(request, timeout=settings.WECOM_TIMEOUT) as response:
            raw = response.read()
    except urllib.error.HTTPError as error:
        # The error's text is its status line only: the URL, with the secret or token, stays out.
        kind = WeComBusy if error.code in HTTP_BUSY else WeComError
        raise kind(-error.code, f"HTTP {error.code} {error.reason}") from None
    except urllib.error.URLError as error:
        raise ConnectionError(f"WeCom cannot be reached: {error.reason}") from None
    try:
        answer = json.loads(raw.decode())
    except ValueError:
        raise WeComError(-1, "the answer is not JSON") from None
    errcode = int(answer.get("errcode", 0))
    if errcode:
        raise (WeComBusy if errcode in BUSY else WeComError)(errcode, str(answer.get("errmsg", ""))[:200])
    return answer
