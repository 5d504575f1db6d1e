// @ts-check
// sipscope file reader: a worker of its own, started by worker.js, that reads a Blob (a dropped File) in slices
// and hands each one over (transferred, not copied).
//
// A Blob is read by tasks on the reading thread's event loop. In the analysis worker those tasks wait while the
// engine works on the previous slice, so reading and analysis took turns; here they overlap (on a 200 MB log the
// analysis worker waited about 0.35 s for its bytes before).
//
// Protocol (worker.js -> reader): {blob, chunk, ahead} once; then 'more' for every slice it took (it stays at most
// `ahead` slices ahead: bounded memory whatever the file size).
// Reader -> worker.js: {offset, buf} per slice in order, {offset, error} when a read fails (then it stops).

// postMessage of this worker (the page's lib types `self` as a window).
const post = /** @type {(message: unknown, transfer?: Transferable[]) => void} */ (self.postMessage.bind(self));

// Slices it may still read ahead, and the wait for more.
const flow = {
  credit: 0,
  /** @type {(() => void) | null} */
  wake: null,
};

self.onmessage = async (event) => {
  if (event.data === 'more') {
    flow.credit += 1;
    if (flow.wake) flow.wake();
    return;
  }
  const { blob, chunk, ahead } = /** @type {{blob: Blob, chunk: number, ahead: number}} */ (event.data);
  flow.credit = ahead;
  for (let offset = 0; offset < blob.size; offset += chunk) {
    while (flow.credit <= 0) await new Promise((resolve) => { flow.wake = () => resolve(undefined); });
    flow.wake = null;
    flow.credit -= 1;
    let buf;
    try {
      buf = await blob.slice(offset, offset + chunk).arrayBuffer();
    } catch (err) {
      post({ offset, error: err instanceof Error ? err.message : String(err) });
      return;
    }
    post({ offset, buf }, [buf]);
  }
};
