module.exports = function (client, requested, audience, context, cb) {
  const readOnly = client.metadata.read_only === 'true';
  const scope = readOnly ? requested.filter((s) => s.startsWith('read:')) : requested;
  cb(null, { scope });
};
