"""Colour contrast (WCAG 2.1): a brand colour carries white text in the header and buttons."""

import re

HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
AA_NORMAL_TEXT = 4.5


def relative_luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(first: str, second: str) -> float:
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def white_text_contrast(hex_colour: str) -> float:
    return contrast_ratio(hex_colour, "#ffffff")


def carries_white_text(hex_colour: str) -> bool:
    return white_text_contrast(hex_colour) >= AA_NORMAL_TEXT
