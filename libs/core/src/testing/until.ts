/** Polls `probe` until it holds, failing after `timeoutMs`: specs wait for a state, never a fixed time. */
export async function until(probe: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error('until: timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
