export const packageRoot: string;
export function target(): { platform: string; arch: string; libc: string; node: string; napi: string | undefined };
export function loadAddon(): unknown;
export function explain(problem: string): string;
