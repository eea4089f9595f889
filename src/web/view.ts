/**
 * The contract between the page shell (main.ts) and its views. Each view is mounted once, into its
 * own <section>, the first time its route is visited, and stays mounted (a model run keeps going
 * while the reader looks at the explorer); `show` is called on every visit with the rest of the
 * route (`#golden/codecs/12` → ["codecs", "12"]).
 */

/** A mounted view. */
export interface View {
  /** The route below the view's own name changed (or the view became visible). */
  show(path: readonly string[]): void;
}

/** Mounts a view into `root` (an empty <section>). */
export type MountView = (root: HTMLElement) => View | Promise<View>;

/** The names of the views, in navigation order; also the first route segment. */
export const VIEW_NAMES = ["explorer", "trirun", "rosetta", "runner", "golden", "spec"] as const;

/** One of VIEW_NAMES. */
export type ViewName = (typeof VIEW_NAMES)[number];
