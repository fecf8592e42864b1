/** 3×3 matrices as row-major arrays of rows: small enough that plain TypeScript beats tfjs linalg. */
export type Matrix3 = readonly [readonly [number, number, number], readonly [number, number, number], readonly [number, number, number]];

export function multiply3(a: Matrix3, b: Matrix3): Matrix3 {
  const row = (i: number) => [0, 1, 2].map((j) => a[i]![0] * b[0][j]! + a[i]![1] * b[1][j]! + a[i]![2] * b[2][j]!) as [number, number, number];
  return [row(0), row(1), row(2)];
}

export function transpose3(m: Matrix3): Matrix3 {
  return [
    [m[0][0], m[1][0], m[2][0]],
    [m[0][1], m[1][1], m[2][1]],
    [m[0][2], m[1][2], m[2][2]],
  ];
}

/** Inverse by cofactors; the caller guarantees the matrix is well conditioned. */
export function invert3(m: Matrix3): Matrix3 {
  const [[a, b, c], [d, e, f], [g, h, i]] = m;
  const det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);
  return [
    [(e * i - f * h) / det, (c * h - b * i) / det, (b * f - c * e) / det],
    [(f * g - d * i) / det, (a * i - c * g) / det, (c * d - a * f) / det],
    [(d * h - e * g) / det, (b * g - a * h) / det, (a * e - b * d) / det],
  ];
}

/**
 * Eigen-decomposition of a symmetric 3×3 matrix by cyclic Jacobi rotations: `m = V diag(values) Vᵀ`
 * with the eigenvectors as the columns of `vectors`. Converges quadratically; a dozen sweeps are
 * far more than float64 needs for 3×3.
 */
export function symmetricEigen3(m: Matrix3): { values: [number, number, number]; vectors: Matrix3 } {
  const a = m.map((r) => [...r]);
  const v = [
    [1, 0, 0],
    [0, 1, 0],
    [0, 0, 1],
  ];
  for (let sweep = 0; sweep < 50; sweep++) {
    const off = a[0]![1]! ** 2 + a[0]![2]! ** 2 + a[1]![2]! ** 2;
    if (off <= 1e-30 * (a[0]![0]! ** 2 + a[1]![1]! ** 2 + a[2]![2]! ** 2) || off === 0) break;
    for (const [p, q] of [
      [0, 1],
      [0, 2],
      [1, 2],
    ] as const) {
      const apq = a[p]![q]!;
      if (apq === 0) continue;
      // Rotation angle that zeroes a[p][q] (Numerical Recipes' stable form).
      const theta = (a[q]![q]! - a[p]![p]!) / (2 * apq);
      const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
      const c = 1 / Math.sqrt(t * t + 1);
      const s = t * c;
      for (let k = 0; k < 3; k++) {
        const akp = a[k]![p]!;
        const akq = a[k]![q]!;
        a[k]![p] = c * akp - s * akq;
        a[k]![q] = s * akp + c * akq;
      }
      for (let k = 0; k < 3; k++) {
        const apk = a[p]![k]!;
        const aqk = a[q]![k]!;
        a[p]![k] = c * apk - s * aqk;
        a[q]![k] = s * apk + c * aqk;
      }
      for (let k = 0; k < 3; k++) {
        const vkp = v[k]![p]!;
        const vkq = v[k]![q]!;
        v[k]![p] = c * vkp - s * vkq;
        v[k]![q] = s * vkp + c * vkq;
      }
    }
  }
  return { values: [a[0]![0]!, a[1]![1]!, a[2]![2]!], vectors: v as unknown as Matrix3 };
}

/**
 * `m^power` of a symmetric positive semi-definite 3×3 matrix, V diag(λ^power) Vᵀ. Eigenvalues are
 * floored at `floor` first, so a flat (singular) colour distribution gives a large but finite
 * inverse square root instead of Infinity.
 */
export function symmetricPower3(m: Matrix3, power: number, floor = 1e-10): Matrix3 {
  const { values, vectors } = symmetricEigen3(m);
  const d = values.map((x) => Math.max(x, floor) ** power);
  const scaled: Matrix3 = [0, 1, 2].map((i) => [0, 1, 2].map((j) => vectors[i]![j]! * d[j]!)) as unknown as Matrix3;
  return multiply3(scaled, transpose3(vectors));
}
