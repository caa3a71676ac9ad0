"""The interface every golden model shares: validated codes in, exact rounded codes out."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from ..fixed import QFormat, exact_array, round_div
from ..specs import ActivationSpec

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
            raise TypeError(f"spec must be a {self.spec_class.__name__}, not {spec!r}")
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

    def fused_backward(self, x: npt.ArrayLike, g: npt.ArrayLike) -> npt.NDArray[np.int64]:
        """Upstream gradient times the activation's gradient, rounded once, in the input format.

        ``g`` holds codes in ``spec.out_fmt`` (the gradient with respect to ``y`` has ``y``'s
        scale). The result is ``round(G * DY * 2**F / 2**(F_out + F_grad))`` with ``DY`` the
        gradient code of :meth:`grad`, rounded with ``spec.rounding`` and saturated to
        ``spec.fmt``. It is exact whenever ``DY`` is (e.g. SmeLU with a power-of-two ``beta``
        and ``grad_frac >= log2(2 beta) + frac``).

        Raises
        ------
        ValueError
            If ``x`` or ``g`` holds a code outside its format, or their shapes differ.
        """
        spec = self._spec
        codes = spec.fmt.check_codes(x)
        upstream = spec.out_fmt.check_codes(g, name="g")
        if codes.shape != upstream.shape:
            raise ValueError(f"x and g must have the same shape, not {codes.shape} and {upstream.shape}")
        shift = spec.out_fmt.frac + spec.grad_frac - spec.fmt.frac
        bound = spec.out_fmt.bits + spec.grad_fmt.bits + max(-shift, 0) + 1  # |G DY| << -shift
        product = exact_array(upstream, bound) * exact_array(self.grad(codes), bound)
        result = round_div(product, 1 << shift, spec.rounding) if shift > 0 else product << -shift
        return spec.fmt.saturate(result)

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
