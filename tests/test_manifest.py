"""The web-app manifest a phone installs the site from: linked from every page, valid JSON, served as JSON
by WhiteNoise in production, and its icons there at the sizes it claims."""

import json
import re
import struct

import pytest
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from whitenoise.media_types import MediaTypes


def png_size(path: str) -> tuple[int, int]:
    """Width and height from a PNG's header (its IHDR chunk)."""
    with open(path, "rb") as image:
        head = image.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n" and head[12:16] == b"IHDR"
    return struct.unpack(">II", head[16:24])


def head_of(client) -> str:
    html = client.get("/accounts/login/").content.decode()
    return html.split("</head>", 1)[0]


def linked(head: str, rel: str) -> str:
    found = re.search(rf'<link rel="{rel}"[^>]* href="([^"]+)"', head)
    assert found, f"no <link rel={rel}>"
    return found.group(1)


@pytest.fixture
def manifest(client) -> dict:
    href = linked(head_of(client), "manifest")
    assert href == static("manifest.json")
    with open(finders.find("manifest.json"), encoding="utf-8") as file:
        return json.load(file)


@pytest.mark.django_db
def test_the_manifest_names_the_app_and_opens_the_home_page_standalone(client, manifest):
    assert manifest["name"] == "学管工作台" and 0 < len(manifest["short_name"]) <= 12
    assert manifest["start_url"] == "/" and manifest["scope"] == "/" and manifest["display"] == "standalone"
    theme = re.search(r'<meta name="theme-color" content="([^"]+)">', head_of(client)).group(1)
    assert manifest["theme_color"] == theme


@pytest.mark.django_db
def test_the_manifest_s_icons_exist_at_the_sizes_it_declares(manifest):
    declared = {(icon["sizes"], icon.get("purpose", "any")) for icon in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any")} <= declared
    for icon in manifest["icons"]:
        # Relative to the manifest, which sits in the static folder: the same folder as the icons.
        path = finders.find(icon["src"])
        assert path, icon["src"]
        width, height = png_size(path)
        assert icon["type"] == "image/png" and icon["sizes"] == f"{width}x{height}"


@pytest.mark.django_db
def test_the_apple_touch_icon_is_a_square_png(client):
    href = linked(head_of(client), "apple-touch-icon")
    width, height = png_size(finders.find(href.removeprefix(static(""))))
    assert width == height >= 180


def test_whitenoise_serves_the_manifest_as_json():
    """WhiteNoise knows no .webmanifest (it would answer application/octet-stream): hence manifest.json."""
    assert MediaTypes().get_type("manifest.json") == "application/json"
