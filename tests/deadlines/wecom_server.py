"""A local HTTP server that answers like WeCom's server API, for the tests of the real client.

It knows one company (corp id and secret), one application (agent id) and a set of accounts; it
issues access tokens, checks them on every send, and can be told to expire them, to answer the next
sends with a given error (a rate limit, HTTP 503), or to issue tokens of a short lifetime. Every call
is kept, so that a test can say what was sent and what was answered.
"""

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

CORP_ID, SECRET, AGENT_ID = "ww-test-corp", "s3cret-of-the-application", 1000002


@dataclass
class Call:
    method: str
    path: str
    query: dict
    body: dict | None
    status: int
    answer: dict


@dataclass
class FakeWeCom:
    accounts: set = field(default_factory=lambda: {"WangFang", "LiNa"})
    expires_in: int = 7200
    calls: list = field(default_factory=list)
    scripted: list = field(default_factory=list)  # (status, answer) for the next sends, in order
    tokens: dict = field(default_factory=dict)  # token -> "valid" | "expired"
    cards_per_token: int | None = None  # a token expires after carrying this many cards
    carried: dict = field(default_factory=dict)  # token -> cards carried

    def start(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                fake._handle(self, None)

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                fake._handle(self, json.loads(self.rfile.read(length).decode()))

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def expire_tokens(self):
        self.tokens = dict.fromkeys(self.tokens, "expired")

    def calls_to(self, path: str) -> list[Call]:
        return [call for call in self.calls if call.path == path]

    @property
    def cards(self) -> list[dict]:
        """The text cards WeCom accepted."""
        return [c.body for c in self.calls_to("/cgi-bin/message/send") if c.answer.get("errcode") == 0]

    def _handle(self, request, body):
        parts = urlsplit(request.path)
        query = {key: values[0] for key, values in parse_qs(parts.query).items()}
        if parts.path == "/cgi-bin/gettoken":
            status, answer = 200, self._gettoken(query)
        elif parts.path == "/cgi-bin/message/send":
            status, answer = self.scripted.pop(0) if self.scripted else (200, self._send(query, body))
        else:
            status, answer = 404, {}
        self.calls.append(Call(request.command, parts.path, query, body, status, answer))
        payload = json.dumps(answer, ensure_ascii=False).encode()
        request.send_response(status)
        request.send_header("Content-Type", "application/json; charset=utf-8")
        request.send_header("Content-Length", str(len(payload)))
        request.end_headers()
        request.wfile.write(payload)

    def _gettoken(self, query) -> dict:
        if query.get("corpid") != CORP_ID:
            return {"errcode": 40013, "errmsg": "invalid corpid"}
        if query.get("corpsecret") != SECRET:
            return {"errcode": 40001, "errmsg": "invalid credential"}
        token = f"token-{len(self.tokens) + 1}"
        self.tokens[token] = "valid"
        return {"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": self.expires_in}

    def _send(self, query, card) -> dict:
        state = self.tokens.get(query.get("access_token"))
        if state is None:
            return {"errcode": 40014, "errmsg": "invalid access_token"}
        if state == "expired":
            return {"errcode": 42001, "errmsg": "access_token expired"}
        if card.get("agentid") != AGENT_ID:
            return {"errcode": 40056, "errmsg": "invalid agentid"}
        text = card.get("textcard") or {}
        if card.get("msgtype") != "textcard" or not text.get("title") or not text.get("url"):
            return {"errcode": 44004, "errmsg": "text content is empty"}
        if len(text["title"].encode()) > 128 or len(text.get("description", "").encode()) > 512:
            return {"errcode": 45002, "errmsg": "content size out of limit"}
        if card.get("touser") not in self.accounts:
            invalid = card.get("touser")
            return {"errcode": 81013, "errmsg": "user & party & tag all invalid", "invaliduser": invalid}
        token = query["access_token"]
        self.carried[token] = self.carried.get(token, 0) + 1
        if self.carried[token] == self.cards_per_token:
            self.tokens[token] = "expired"
        return {"errcode": 0, "errmsg": "ok", "invaliduser": "", "msgid": f"msg-{len(self.cards) + 1}"}
