const got = require('got@11.8.6');

module.exports = function (user, context, cb) {
  got.post(context.webtask.secrets.AUDIT_URL, {
    json: { kind: 'password_changed', email: user.email, connection: context.connection.name },
    timeout: { request: 3000 }
  })
    .then(function () {
      cb();
    })
    .catch(function (err) {
      console.log('audit failed: ' + err.message);
      cb();
    });
};
