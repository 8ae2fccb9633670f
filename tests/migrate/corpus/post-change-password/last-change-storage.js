module.exports = function (user, context, cb) {
  context.webtask.storage.get(function (err, data) {
    data = data || {};
    data[user.id] = Date.now();
    context.webtask.storage.set(data, { force: 1 }, function () {
      cb();
    });
  });
};
