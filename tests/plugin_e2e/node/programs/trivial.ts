// Exports one value: the harness's own check, with no provider.
export const hello = "world";
