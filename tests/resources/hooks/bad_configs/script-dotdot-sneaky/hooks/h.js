module.exports = function (client, scope, audience, context, cb) {
  cb(null, {});
};
