// Stands in for whatwg-url, which node-fetch 2 (under client-node) requires for a URL class only where Node has
// none (node-fetch lib/index.js: `Url.URL || whatwgUrl.URL`); every Node the tool runs on has one, so nothing
// here is used, and its Unicode tables (tr46, a fifth of the bundle) stay out of it.
module.exports = {};
