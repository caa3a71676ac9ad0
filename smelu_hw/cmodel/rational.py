"""C bodies of the exact activations: SmeLU, generalized SmeLU, ReLU and hard-swish.

Each function is the golden model's formula (:mod:`smelu_hw.models.smelu`,
:mod:`smelu_hw.models.rational`) term by term, on a :class:`~smelu_hw.cmodel.emit.Body`: the
same clamps, the same numerator and denominator, and one rounding by the same helper. The body
returns the code before saturation, as the models' ``_forward`` and ``_grad`` do.
"""

from __future__ import annotations

from ..fixed import scale_shifts
from ..specs import GSmeLUSpec, HardSwishSpec, ReLUSpec, SmeLUSpec, SquarePlan
from ..squaring import pair_column
from .emit import Body, BodyBuilder, Term, literal

__all__ = ["BODIES"]


def _truncated_forward(spec: SmeLUSpec, plan: SquarePlan, body: Body) -> Term:
    """A faithful SmeLU's planned squarer (:meth:`smelu_hw.models.SmeLU._truncated_forward`):
    ``u**2`` less the dropped partial products ``u_i u_j 2**column``, plus the offset, floored."""
    b = spec.beta_code
    num_shift, den_shift = scale_shifts(spec.out_fmt.frac - spec.fmt.frac)
    u = body.let(body.clip(body.add(body.x, b), 0, plan.u_max), "u")
    kept = body.mul(u, u)
    for i, j in sorted(plan.truncation.dropped_pairs(plan.width), key=lambda pair: (pair_column(pair), pair)):
        bit = body.call(f"(({u.text} >> {i}) & ({u.text} >> {j}) & 1)", 0, 1)
        kept = body.let(body.sub(kept, body.scale(bit, pair_column((i, j)))))
    quadratic = body.floor_div(body.add(kept, plan.truncation.offset), 1 << plan.shift)
    linear = body.floor_div(body.scale(body.x, num_shift), 1 << den_shift)
    x = body.x.text
    return body.select(f"{x} <= {literal(-b)}", 0, body.select(f"{x} >= {literal(b)}", linear, quadratic))


def smelu_forward(spec: SmeLUSpec, body: Body) -> Term:
    if spec.square_plan is not None:
        return _truncated_forward(spec, spec.square_plan, body)
    b = spec.beta_code
    num_shift, den_shift = scale_shifts(spec.out_fmt.frac - spec.fmt.frac)
    u = body.let(body.add(body.x, b), "u")
    uc = body.let(body.clip(u, 0, 2 * b), "uc")
    # Above the region uc**2 + 4B (u - 2B) = 4B X, i.e. y = X / 2**F.
    right = body.clip(body.add(u, -2 * b), 0, None)
    square = body.add(body.mul(uc, uc), body.mul(right, 4 * b))
    num = body.let(body.scale(square, num_shift), "num")
    return body.round_div(num, (4 * b) << den_shift, spec.rounding)


def smelu_grad(spec: SmeLUSpec, body: Body) -> Term:
    b = spec.beta_code
    uc = body.let(body.clip(body.add(body.x, b), 0, 2 * b), "uc")
    return body.round_div(body.scale(uc, spec.grad_frac), 2 * b, spec.rounding)


def _gsmelu_codes(spec: GSmeLUSpec) -> tuple[int, int, int, int]:
    bl = spec.beta_left_code
    return bl, bl + spec.beta_right_code, spec.slope_left_code, spec.slope_right_code


def gsmelu_forward(spec: GSmeLUSpec, body: Body) -> Term:
    bl, w, sl, sr = _gsmelu_codes(spec)
    num_shift, den_shift = scale_shifts(spec.out_fmt.frac - 2 * spec.fmt.frac)
    u = body.let(body.add(body.x, bl), "u")
    uc = body.let(body.clip(u, 0, w), "uc")
    left = body.mul(body.clip(u, None, w), sl)
    right = body.mul(body.clip(body.add(u, -w), 0, None), sr)
    tails = body.let(body.add(left, right), "tails")
    quadratic = body.mul(body.mul(uc, sr - sl), uc)
    num = body.let(body.scale(body.add(quadratic, body.mul(tails, 2 * w)), num_shift), "num")
    return body.round_div(num, (2 * w) << den_shift, spec.rounding)


def gsmelu_grad(spec: GSmeLUSpec, body: Body) -> Term:
    bl, w, sl, sr = _gsmelu_codes(spec)
    num_shift, den_shift = scale_shifts(spec.grad_frac - spec.fmt.frac)
    uc = body.let(body.clip(body.add(body.x, bl), 0, w), "uc")
    num = body.let(body.scale(body.add(body.mul(uc, sr - sl), sl * w), num_shift), "num")
    return body.round_div(num, w << den_shift, spec.rounding)


def relu_forward(spec: ReLUSpec, body: Body) -> Term:
    shift = spec.out_fmt.frac - spec.fmt.frac
    positive = body.let(body.clip(body.x, 0, None), "pos")
    if shift >= 0:
        return body.scale(positive, shift)
    return body.round_div(positive, 1 << -shift, spec.rounding)


def relu_grad(spec: ReLUSpec, body: Body) -> Term:
    return body.select(f"{body.x.text} > 0", 1 << spec.grad_frac, 0)


def hardswish_forward(spec: HardSwishSpec, body: Body) -> Term:
    f = spec.fmt.frac
    three = 3 << f
    num_shift = max(spec.out_fmt.frac - 2 * f, 0)
    den = (6 << (2 * f)) >> min(spec.out_fmt.frac, 2 * f)
    c = body.let(body.clip(body.x, -three, three), "c")
    right = body.mul(body.clip(body.add(body.x, -three), 0, None), 6 << f)
    num = body.let(body.add(body.mul(c, body.add(c, three)), right), "num")
    return body.round_div(body.scale(num, num_shift), den, spec.rounding)


def hardswish_grad(spec: HardSwishSpec, body: Body) -> Term:
    f, g = spec.fmt.frac, spec.grad_frac
    three = 3 << f
    num_shift = max(g - f, 0)
    den = (6 << f) >> min(g, f)
    line = body.scale(body.add(body.mul(body.x, 2), three), num_shift)
    inside = body.let(body.round_div(line, den, spec.rounding), "inside")
    x = body.x.text
    above = body.select(f"{x} > {literal(three)}", 1 << g, inside)
    return body.select(f"{x} < {literal(-three)}", 0, above)


#: Activation name -> (forward body, gradient body).
BODIES: dict[str, tuple[BodyBuilder, BodyBuilder]] = {
    "smelu": (smelu_forward, smelu_grad),
    "gsmelu": (gsmelu_forward, gsmelu_grad),
    "relu": (relu_forward, relu_grad),
    "hardswish": (hardswish_forward, hardswish_grad),
}
