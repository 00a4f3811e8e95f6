/** The per-user cache folder of this OS (XDG on Linux); the plan keeps its caches under <this>/platform. */
export function osCacheDir(env?: NodeJS.ProcessEnv): string;
