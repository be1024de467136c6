// Work remembered per immutable object and per "shape" of the question asked of it (a request's
// groups, a microversion's rendering): candidate search and rendering keep their per-provider
// results this way (candidates.ts, api/candidate-routes.ts). A few shapes per object are kept;
// past that the object's entries start afresh.
const SHAPES_KEPT = 8;

export function rememberedPerShape<K extends object, V>(store: WeakMap<K, Map<string, V>>, item: K, shape: string, compute: () => V): V {
  let byShape = store.get(item);
  if (byShape === undefined) store.set(item, (byShape = new Map()));
  if (byShape.has(shape)) return byShape.get(shape)!;
  const value = compute();
  if (byShape.size >= SHAPES_KEPT) byShape.clear();
  byShape.set(shape, value);
  return value;
}
