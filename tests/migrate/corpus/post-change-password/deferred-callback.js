module.exports = function (user, context, cb) {
  const done = cb;
  setTimeout(function () {
    console.log('password change noted for ' + user.email);
    done();
  }, 10);
};
