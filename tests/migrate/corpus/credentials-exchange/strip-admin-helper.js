function stripAdmin(list) {
  for (let i = list.length - 1; i >= 0; i--) {
    if (list[i].indexOf('admin') === 0) list.splice(i, 1);
  }
}

module.exports = function (client, scope, audience, context, cb) {
  if (client.metadata.environment !== 'production') {
    stripAdmin(scope);
  }
  cb(null, { scope: scope });
};
