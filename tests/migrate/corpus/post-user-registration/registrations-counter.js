let registrations = 0;
const started = Date.now();

module.exports = function (user, context, cb) {
  registrations++;
  console.log(`registration #${registrations} since ${new Date(started).toISOString()}: ${user.email}`);
  cb();
};
