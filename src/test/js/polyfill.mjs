// Node 20 lacks Promise.withResolvers (added in Node 22); libp2p 3.x calls it and
// createLibp2p() fails with "TypeError: Promise.withResolvers is not a function" without it.
// Loaded before anything else with: node --import ./polyfill.mjs peer.mjs
if (typeof Promise.withResolvers !== 'function') {
  Object.defineProperty(Promise, 'withResolvers', {
    configurable: true,
    writable: true,
    value: function withResolvers () {
      let resolve
      let reject
      const promise = new this((res, rej) => { resolve = res; reject = rej })
      return { promise, resolve, reject }
    }
  })
}
