/** Planar geometry shared by the safety layer, the environment and the simulated robot. */

/** Even-odd point-in-polygon test (polygon as [x, y] vertices, either winding). */
export function inPolygon(x: number, y: number, poly: readonly (readonly number[])[]): boolean {
  let inside = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const xi = poly[i]![0]!;
    const yi = poly[i]![1]!;
    const xj = poly[j]![0]!;
    const yj = poly[j]![1]!;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Quaternion of a rotation by `yaw` radians about z. */
export function quaternion(yaw: number): { x: number; y: number; z: number; w: number } {
  return { x: 0, y: 0, z: Math.sin(yaw / 2), w: Math.cos(yaw / 2) };
}

/** Heading (rotation about z) of a quaternion. */
export function yawOf(q: { x?: unknown; y?: unknown; z?: unknown; w?: unknown }): number {
  const n = (v: unknown, d: number) => (typeof v === 'number' && Number.isFinite(v) ? v : d);
  const x = n(q.x, 0);
  const y = n(q.y, 0);
  const z = n(q.z, 0);
  const w = n(q.w, 1);
  return Math.atan2(2 * (w * z + x * y), 1 - 2 * (y * y + z * z));
}
