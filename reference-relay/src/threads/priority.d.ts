/** Makes the calling thread `steps` nicer (capped at 19); returns the nice value it runs at, or null when not applied. */
export function lowerThisThread(steps: number): number | null
