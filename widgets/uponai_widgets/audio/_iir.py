"""Cascades of second-order IIR sections over float32 blocks, with numpy alone (no scipy).

A recursive filter runs one sample after another, which a numpy loop cannot do quickly. The
cascade is therefore written in state-space form (state s, s' = A s + B x, y = C s + D x) and
the signal is cut into segments of `SEGMENT` samples; then

- each segment's output is its input times a fixed lower-triangular matrix (the impulse
  response) plus its starting state times another (`C A^i`): one matrix product of
  [input | starting state], done by BLAS for all segments at once;
- the state at each segment's start follows from the previous one, s[j+1] = A^L s[j] + G u[j];
  that recursion is solved in float64 for groups of `GROUP` segments in log2(groups)
  vectorised steps (a prefix scan that doubles its reach each step), and inside the groups by
  one more matrix product.

The output matches a sample-by-sample filter to about 1e-6 of full scale. The matrix products
are cut into pieces small enough that OpenBLAS does them on one thread (threads only add CPU
time here, and the machine may be busy with other work). The state is carried from block to
block, so the result does not depend on where blocks begin.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

__all__ = ["SectionCascade", "butterworth_highpass"]

SEGMENT = 32  # samples per segment: the triangular product costs SEGMENT multiplications a sample
GROUP = 8  # segments per step of the state's prefix scan
_ONE_THREAD = 65536 * 4  # OpenBLAS multiplies on one thread up to this m x n x k

Block = npt.NDArray[np.float32]
Matrix = npt.NDArray[np.float64]


def butterworth_highpass(cutoff_hz: float, sample_rate: int) -> list[list[float]]:
    """A second-order Butterworth high-pass as one section (b0, b1, b2, 1, a1, a2), designed
    with the bilinear transform (prewarped, so the -3 dB point is at `cutoff_hz`)."""
    k = math.tan(math.pi * cutoff_hz / sample_rate)
    norm = 1 / (1 + math.sqrt(2) * k + k * k)
    return [
        [
            norm,
            -2 * norm,
            norm,
            1.0,
            2 * (k * k - 1) * norm,
            (1 - math.sqrt(2) * k + k * k) * norm,
        ]
    ]


def _product(
    left: npt.NDArray[np.floating], right: npt.NDArray[np.floating], out: npt.NDArray[np.floating]
) -> None:
    """out = left @ right, in row pieces small enough for OpenBLAS to stay on one thread."""
    rows = max(1, _ONE_THREAD // (left.shape[1] * right.shape[1]))
    for row in range(0, len(left), rows):
        np.matmul(left[row : row + rows], right, out=out[row : row + rows])


def _blocks_of_powers(power: list[Matrix], exponents: list[list[int | None]]) -> Matrix:
    """The matrix whose block (i, j) is power[exponents[i][j]] transposed (zeros for None):
    multiplying row vectors of states by it applies those powers."""
    size = len(power[0])
    rows = []
    for line in exponents:
        rows.append([np.zeros((size, size)) if e is None else power[e].T for e in line])
    return np.block(rows)


def _state_space(sections: Sequence[Sequence[float]]) -> tuple[Matrix, Matrix, Matrix, float]:
    """(A, B, C, D) of the cascade; each section in transposed direct form II."""
    a_matrix = np.zeros((0, 0))
    b_vector = np.zeros(0)
    c_vector = np.zeros(0)
    d_value = 1.0
    for b0, b1, b2, a0, a1, a2 in sections:
        b0, b1, b2, a1, a2 = b0 / a0, b1 / a0, b2 / a0, a1 / a0, a2 / a0
        a = np.array([[-a1, 1.0], [-a2, 0.0]])
        b = np.array([b1 - a1 * b0, b2 - a2 * b0])
        c = np.array([1.0, 0.0])
        # This section's input is the cascade so far: x_k = C s + D x.
        size = len(a_matrix)
        a_matrix = np.block([[a_matrix, np.zeros((size, 2))], [np.outer(b, c_vector), a]])
        b_vector = np.concatenate([b_vector, b * d_value])
        c_vector = np.concatenate([b0 * c_vector, c])
        d_value = b0 * d_value
    return a_matrix, b_vector, c_vector, d_value


class SectionCascade:
    """Second-order sections (b0, b1, b2, a0, a1, a2) run over consecutive float32 blocks
    shaped (frames, channels), each channel with its own state."""

    def __init__(self, sections: Sequence[Sequence[float]], channels: int) -> None:
        a, b, c, d = _state_space(sections)
        order = len(a)
        powers = [np.eye(order)]
        for _ in range(SEGMENT):
            powers.append(a @ powers[-1])
        response = [d] + [float(c @ powers[i] @ b) for i in range(SEGMENT - 1)]
        triangle = np.zeros((SEGMENT, SEGMENT))
        for row in range(SEGMENT):
            triangle[row, : row + 1] = response[row::-1]
        from_state = np.array([c @ powers[i] for i in range(SEGMENT)])  # (SEGMENT, order)
        # One product gives a segment's output: [its input | its starting state] @ this.
        self._output = np.vstack([triangle.T, from_state.T]).astype(np.float32)
        self._to_state = np.array([powers[SEGMENT - 1 - j] @ b for j in range(SEGMENT)])
        step = [np.eye(order)]  # powers of M = A^SEGMENT, the state's step per segment
        for _ in range(GROUP):
            step.append(powers[SEGMENT] @ step[-1])
        self._step = powers[SEGMENT]
        self._group_step = step[GROUP]
        # A group's inputs (row vectors, one per segment) to the state after the group ...
        self._group_sum = _blocks_of_powers(step, [[GROUP - 1 - i] for i in range(GROUP)])
        # ... the state before a group to the starting states of its segments ...
        self._spread = _blocks_of_powers(step, [list(range(GROUP))])
        # ... and a group's inputs to the starting states of its later segments.
        self._within = _blocks_of_powers(
            step, [[i - 1 - k if k < i else None for i in range(GROUP)] for k in range(GROUP)]
        )
        self._a, self._b, self._c, self._d = a, b, c, d
        self._state = np.zeros((channels, order))

    def settle(self, first: npt.NDArray[np.float64]) -> None:
        """Set each channel's state to the one a constant input of `first[channel]` leaves (so
        a signal that begins on an offset has no transient)."""
        unit = np.linalg.solve(np.eye(len(self._a)) - self._a, self._b)
        self._state = first[:, None] * unit[None, :]

    def process(self, block: Block) -> Block:
        """The next block, filtered (a new float32 array)."""
        if block.shape[1] == 1:
            return self._channel(np.ascontiguousarray(block[:, 0], np.float32), 0)[:, None]
        out = np.empty(block.shape, np.float32)
        for channel in range(block.shape[1]):
            signal = np.ascontiguousarray(block[:, channel], dtype=np.float32)
            out[:, channel] = self._channel(signal, channel)
        return out

    def _channel(self, x: Block, channel: int) -> Block:
        count = len(x) // SEGMENT
        whole = count * SEGMENT
        y = np.empty(len(x), np.float32)
        state = self._state[channel]
        if count:
            segments = x[:whole].reshape(count, SEGMENT)
            starts, state = self._segment_states(segments, state)
            both = np.concatenate([segments, starts.astype(np.float32)], axis=1)
            _product(both, self._output, y[:whole].reshape(count, SEGMENT))
        for index in range(whole, len(x)):  # the few samples after the last whole segment
            value = float(x[index])
            y[index] = float(self._c @ state) + self._d * value
            state = self._a @ state + self._b * value
        self._state[channel] = state
        return y

    def _segment_states(self, segments: Block, state: Matrix) -> tuple[Matrix, Matrix]:
        """The state at the start of every segment (the first one's is `state`) and after
        the last one."""
        count, order = len(segments), len(state)
        groups = -(-count // GROUP)
        # carried[j]: what segment j's input adds to the state after it (zero-padded to whole
        # groups; the padding's states are dropped).
        carried = np.zeros((groups * GROUP, order))
        _product(segments.astype(np.float64), self._to_state, carried[:count])
        by_group = carried.reshape(groups, GROUP * order)
        after = np.empty((groups, order))
        _product(by_group, self._group_sum, after)
        # The state after group k: sum over i <= k of S^(k-i) after[i], S = M^GROUP, with the
        # incoming state folded into the first term: a prefix scan doubling its reach.
        after[0] += state @ self._group_step.T
        reach, power = 1, self._group_step
        while reach < groups:
            after[reach:] += after[:-reach] @ power.T
            power = power @ power
            reach *= 2
        before = np.empty_like(after)
        before[0] = state
        before[1:] = after[:-1]
        starts = np.empty((groups, GROUP * order))
        _product(by_group, self._within, starts)
        starts += before @ self._spread
        flat = starts.reshape(groups * GROUP, order)
        final = flat[count] if count < len(flat) else after[-1]
        return flat[:count], final.copy()
