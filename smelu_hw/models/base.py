"""The interface every golden model shares: validated codes in, exact rounded codes out."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from ..fixed import QFormat
from ..params import ActivationSpec

__all__ = ["Activation"]

#: Codes per block of work. A block's int64 temporaries (64 KiB) stay in the CPU cache and
#: under glibc's 128 KiB mmap threshold, so they are recycled instead of page-faulted anew.
BLOCK = 1 << 13


class Activation:
    """Base class of the bit-exact golden models.

    Subclasses set :attr:`spec_class` and implement ``_forward`` and ``_grad``, which receive
    validated int64 input codes and return exact integer codes *before* saturation.

    Attributes
    ----------
    spec : ActivationSpec
        The frozen, validated parameters this model reads.
    """

    spec_class: type[ActivationSpec] = ActivationSpec

    def __init__(self, spec: ActivationSpec) -> None:
        if not isinstance(spec, self.spec_class):
            raise ValueError(f"spec must be a {self.spec_class.__name__}, not {spec!r}")
        self._spec = spec

    @classmethod
    def from_spec(cls, spec: ActivationSpec) -> Activation:
        """Build the model of an existing spec."""
        model = cls.__new__(cls)
        Activation.__init__(model, spec)
        return model

    @property
    def spec(self) -> ActivationSpec:
        return self._spec

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._spec!r})"

    def forward(self, x: npt.ArrayLike) -> npt.NDArray[np.int64]:
        """Output codes ``y`` for input codes ``x``, correctly rounded then saturated.

        Parameters
        ----------
        x : array_like of int
            Input codes in ``spec.fmt``.

        Returns
        -------
        ndarray of int64
            Output codes in ``spec.out_fmt``, same shape as ``x``.

        Raises
        ------
        ValueError
            If ``x`` is not integer or holds a code outside ``spec.fmt``.
        """
        return self._blockwise(self._forward, x, self._spec.out_fmt)

    def grad(self, x: npt.ArrayLike) -> npt.NDArray[np.int64]:
        """Gradient codes ``dy`` for input codes ``x``, rounded then saturated to ``spec.grad_fmt``.

        Raises
        ------
        ValueError
            If ``x`` is not integer or holds a code outside ``spec.fmt``.
        """
        return self._blockwise(self._grad, x, self._spec.grad_fmt)

    def _blockwise(
        self, kernel: Callable[[np.ndarray], np.ndarray], x: npt.ArrayLike, out_fmt: QFormat
    ) -> npt.NDArray[np.int64]:
        """Validate ``x``, then run ``kernel`` and saturate block by block.

        Blocks of :data:`BLOCK` codes keep every temporary in cache; the arithmetic is the same.
        """
        codes = self._spec.fmt.check_codes(x)
        flat = codes.reshape(-1)
        out = np.empty(flat.size, dtype=np.int64)
        for start in range(0, flat.size, BLOCK):
            block = slice(start, start + BLOCK)
            out[block] = out_fmt.saturate(kernel(flat[block]))
        return out.reshape(codes.shape)

    def _forward(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _grad(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError
