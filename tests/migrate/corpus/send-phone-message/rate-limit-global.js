const lastSent = new Map();
const WINDOW_MS = 30 * 1000;

module.exports = function (recipient, text, context, cb) {
  const previous = lastSent.get(recipient);
  if (previous && Date.now() - previous < WINDOW_MS) {
    console.log('throttled ' + recipient);
    return cb(null, {});
  }
  lastSent.set(recipient, Date.now());
  console.log('would send: ' + text);
  cb(null, {});
};
