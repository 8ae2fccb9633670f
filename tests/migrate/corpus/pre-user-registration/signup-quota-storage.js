module.exports = function (user, context, cb) {
  context.webtask.storage.get(function (error, data) {
    if (error) return cb(error);
    data = data || { count: 0 };
    if (data.count >= 1000) {
      return cb(new PreUserRegistrationError('quota', 'Sign-ups are closed for today.'));
    }
    data.count += 1;
    context.webtask.storage.set(data, function () {
      cb(null, { user: {} });
    });
  });
};
