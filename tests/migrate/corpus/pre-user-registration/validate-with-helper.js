function validate(u) {
  if (!u.email) return 'an email address is required';
  if (u.username && u.username.length < 3) return 'the username is too short';
  return null;
}

module.exports = function (user, context, cb) {
  var problem = validate(user);
  if (problem) {
    return cb(new PreUserRegistrationError(problem, problem));
  }
  cb(null, { user: {} });
};
