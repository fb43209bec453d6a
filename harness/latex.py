"""LaTeX formulas as Unicode text, for a terminal: `compete theory` shows the notes' formulas readably.

Only the part of LaTeX that the notes use: fractions (`a/b`, parenthesised where needed), roots,
sums, sub- and superscripts (Unicode digits and letters where they exist, `_(…)` and `^(…)`
elsewhere), accents (`\\hat p` as p̂), Greek letters, relations and operators, `\\text{…}`, `cases`
(a line per case). What it does not know it shows by name, without the backslash.

    >>> to_unicode(r"\\epsilon = 10^{-15}")
    'ε = 10⁻¹⁵'
"""

from __future__ import annotations

import re
import unicodedata

SYMBOLS = {
    **{
        name: chr(code)
        for name, code in (
            ("alpha", 0x3B1), ("beta", 0x3B2), ("gamma", 0x3B3), ("delta", 0x3B4), ("epsilon", 0x3B5),
            ("varepsilon", 0x3B5), ("zeta", 0x3B6), ("eta", 0x3B7), ("theta", 0x3B8), ("iota", 0x3B9),
            ("kappa", 0x3BA), ("lambda", 0x3BB), ("mu", 0x3BC), ("nu", 0x3BD), ("xi", 0x3BE),
            ("pi", 0x3C0), ("rho", 0x3C1), ("sigma", 0x3C3), ("tau", 0x3C4), ("phi", 0x3C6),
            ("varphi", 0x3C6), ("chi", 0x3C7), ("psi", 0x3C8), ("omega", 0x3C9), ("Gamma", 0x393),
            ("Delta", 0x394), ("Theta", 0x398), ("Lambda", 0x39B), ("Sigma", 0x3A3), ("Phi", 0x3A6),
            ("Psi", 0x3A8), ("Omega", 0x3A9),
        )  # fmt: skip
    },
    "sum": "Σ", "prod": "Π", "int": "∫", "partial": "∂", "nabla": "∇", "infty": "∞", "ell": "ℓ",
    "cdot": "·", "times": "×", "pm": "±", "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥", "ne": "≠",
    "neq": "≠", "approx": "≈", "sim": "~", "propto": "∝", "in": "∈", "notin": "∉", "cup": "∪",
    "cap": "∩", "subset": "⊂", "to": "→", "rightarrow": "→", "leftarrow": "←", "implies": "⟹",
    "Longrightarrow": "⟹", "Rightarrow": "⇒", "mid": "|", "top": "ᵀ", "dots": "…", "ldots": "…",
    "cdots": "⋯", "lfloor": "⌊", "rfloor": "⌋", "lceil": "⌈", "rceil": "⌉", "lVert": "‖", "rVert": "‖",
    "lvert": "|", "rvert": "|", "|": "‖", "{": "{", "}": "}", "_": "_", "%": "%", "&": "&", "#": "#",
    ",": " ", ";": " ", ":": " ", " ": " ", "!": "", "quad": "  ", "qquad": "    ",
}  # fmt: skip
NAMED = {"log", "ln", "exp", "min", "max", "arg", "argmin", "argmax", "sin", "cos", "median", "sign"}
ACCENTS = {"hat": "\u0302", "widehat": "\u0302", "tilde": "\u0303", "bar": "\u0304", "overline": "\u0304"}
TEXT = {"text", "mathrm", "operatorname", "mathbf", "mathit", "textbf", "mathcal", "mathbb", "mathsf"}
DROPPED = {"left", "right", "big", "Big", "bigg", "Bigg", "displaystyle", "limits", "nolimits"}
SUPERSCRIPT = dict(zip("0123456789+-=()nikjTt", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱᵏʲᵀᵗ", strict=True))
SUBSCRIPT = dict(zip("0123456789+-=()aeijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ", strict=True))
_TOKEN = re.compile(r"\\([A-Za-z]+|.)|([{}^_&])|(\s+)|(.)", re.DOTALL)


def to_unicode(latex: str) -> str:
    """`latex` (a formula, without its `$` signs) as one or more lines of Unicode text."""
    tokens = list(_TOKEN.finditer(latex))
    text, _ = _sequence(tokens, 0, stop=None)
    lines = [re.sub(r"\( ", "(", re.sub(r"[ \t]+", " ", line)).strip() for line in text.split("\n")]
    return unicodedata.normalize("NFC", "\n".join(line for line in lines if line))  # ŷ as one character


def _sequence(tokens: list[re.Match[str]], i: int, stop: str | None) -> tuple[str, int]:
    """The text of the tokens from `i` up to the closing `stop` (`}`, or `\\end`), and where it ends."""
    out: list[str] = []
    while i < len(tokens):
        macro, special, space, char = tokens[i].groups()
        if special == "}" and stop == "}":
            return "".join(out), i + 1
        if macro == "end" and stop == "end":
            _, i = _group(tokens, i + 1)
            return "".join(out), i
        if special in ("^", "_"):
            argument, i = _argument(tokens, i + 1)
            out.append(_script(argument, SUPERSCRIPT if special == "^" else SUBSCRIPT, special))
            continue
        if special == "{":
            inner, i = _sequence(tokens, i + 1, "}")
            out.append(inner)
            continue
        if special == "&":
            out.append("  ")
        elif space is not None:
            out.append(" ")
        elif char is not None:
            out.append(char)
        elif macro is not None:
            text, i = _macro(macro, tokens, i + 1)
            out.append(text)
            continue
        i += 1
    return "".join(out), i


def _macro(name: str, tokens: list[re.Match[str]], i: int) -> tuple[str, int]:
    if name in ("frac", "tfrac", "dfrac"):
        top, i = _argument(tokens, i)
        bottom, i = _argument(tokens, i)
        return f"{_atom(top)}/{_atom(bottom)}", i
    if name == "sqrt":
        inner, i = _argument(tokens, i)
        return f"√{_atom(inner)}", i
    if name in ACCENTS:
        inner, i = _argument(tokens, i)
        return (inner + ACCENTS[name] if len(inner) == 1 else f"{ACCENTS[name]}({inner})"), i
    if name in TEXT:
        inner, i = _argument(tokens, i)
        return ("𝟙" if name == "mathbb" and inner == "1" else inner), i
    if name == "begin":
        _, i = _group(tokens, i)  # the environment's name: cases, aligned ...
        inner, i = _sequence(tokens, i, "end")
        return "\n" + inner + "\n", i
    if name == "\\":
        return "\n", i
    if name in DROPPED:
        return "", i
    if name in NAMED:
        return f" {name}", i
    if name in SYMBOLS:
        symbol = SYMBOLS[name]
        return (f" {symbol} " if symbol in "≤≥≠≈∈∉→←⟹⇒∝" else symbol), i
    return name, i


def _group(tokens: list[re.Match[str]], i: int) -> tuple[str, int]:
    """The raw text of a `{…}` group at `i` (an environment's name)."""
    if i < len(tokens) and tokens[i].group(2) == "{":
        return _sequence(tokens, i + 1, "}")
    return "", i


def _argument(tokens: list[re.Match[str]], i: int) -> tuple[str, int]:
    """One argument: a `{…}` group, a macro, or a single character (spaces before it skipped)."""
    while i < len(tokens) and tokens[i].group(3) is not None:
        i += 1
    if i >= len(tokens):
        return "", i
    macro, special, _, char = tokens[i].groups()
    if special == "{":
        return _sequence(tokens, i + 1, "}")
    if macro is not None:
        return _macro(macro, tokens, i + 1)
    return (char or special or ""), i + 1


def _atom(text: str) -> str:
    """`text` as one operand: parenthesised unless it is a single name or number."""
    text = text.strip()
    if re.fullmatch(r"[\w.′'\u0300-\u036f]+", text) or (text.startswith("(") and _closes_at_end(text)):
        return text
    return f"({text})"


def _closes_at_end(text: str) -> bool:
    depth = 0
    for k, ch in enumerate(text):
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth == 0 and k < len(text) - 1:
            return False
    return depth == 0


def _script(text: str, table: dict[str, str], mark: str) -> str:
    """A sub- or superscript: in Unicode when every character has a form, else `_x` / `_(…)`."""
    text = text.strip()
    if text and all(ch in table or ch in table.values() for ch in text):
        return "".join(table.get(ch, ch) for ch in text)
    return f"{mark}{_atom(text)}"
