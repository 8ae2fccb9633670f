// Conformance sample: a disabled hook.
module.exports = function (user, context, cb) {
  cb(null, { user: user });
};
