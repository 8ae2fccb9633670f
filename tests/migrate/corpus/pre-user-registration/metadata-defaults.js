/**
@param {object} user - user being created
@param {object} context - Auth0 connection and other context info
@param {function} cb - function (error, response)
*/
module.exports = function (user, context, cb) {
  var response = {};
  response.user = {
    user_metadata: { locale: context.requestLanguage || 'en', newsletter: false },
    app_metadata: { plan: 'free', signup_connection: context.connection.name }
  };
  cb(null, response);
};
