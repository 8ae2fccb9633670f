module.exports = function (user, context, cb) {
  if (!user.email) {
    return cb(new Error('registered without an email'));
  }
  console.log('registered ' + user.email);
  cb();
};
