"""Errors that name parameters, so that each caller can name them its own way.

A library function says ``bits must be an integer from 4 to 32, not 3``; the generator's
command line says ``--bits must be ...``, because its user typed flags. The message is written
once, with every parameter it names in backticks: ```bits` must be ...``, or
```interface='axis'` needs `lanes```. ``str(error)`` spells each one as written (without the
backticks); :meth:`ParameterMessage.spelled` lets a command line spell them as its flags.

:class:`ParameterError` is a :class:`ValueError` and :class:`ParameterTypeError` a
:class:`TypeError`, so callers that catch those (SPEC §4) need no change.
"""

from __future__ import annotations

import re
from collections.abc import Callable

__all__ = ["ParameterError", "ParameterMessage", "ParameterTypeError"]

_NAMED = re.compile(r"`([A-Za-z_][A-Za-z0-9_]*)(?:=([^`]*))?`")


class ParameterMessage(Exception):
    """A message whose parameters are marked ```name``` or ```name=value```."""

    def __init__(self, template: str) -> None:
        self.template = template
        super().__init__(self.spelled(lambda name, value: name if value is None else f"{name}={value}"))

    def parameters(self) -> list[str]:
        """The names of the parameters the message names, in order."""
        return [match[1] for match in _NAMED.finditer(self.template)]

    def spelled(self, spell: Callable[[str, str | None], str]) -> str:
        """The message with each marked parameter spelled ``spell(name, value)`` (``value``
        is ``None`` where the message names the parameter alone)."""
        return _NAMED.sub(lambda match: spell(match[1], match[2]), self.template)


class ParameterError(ParameterMessage, ValueError):
    """A parameter has a bad value, or parameters a bad combination."""


class ParameterTypeError(ParameterMessage, TypeError):
    """A parameter has the wrong type."""
