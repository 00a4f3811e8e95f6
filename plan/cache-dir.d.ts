/** The per-user cache folder of this OS (XDG on Linux); the plan keeps its caches under <this>/platform. */
export function osCacheDir(env?: NodeJS.ProcessEnv): string;
/** Where the plan keeps Node's compile cache (plan/compile-cache.js) unless NODE_COMPILE_CACHE says otherwise. */
export const PLAN_COMPILE_CACHE_DIR: string;
/** Where `npm run plan` keeps the TypeScript it transpiled (plan/typescript-require.js), in the checkout's node_modules. */
export const PLAN_TRANSPILE_CACHE_DIR: string;
