module.exports = (client, scope, audience, context, cb) => {
  const internal = context.webtask.secrets.INTERNAL_CLIENTS.split(',');
  const granted = internal.includes(client.id)
    ? scope
    : (scope || []).filter((s) => !s.startsWith('admin:'));

  cb(null, {
    scope: granted,
    'https://acme.test/internal': internal.includes(client.id),
  });
};
