"""The local stack: official Google emulators, one functions-framework process per
function, an FCM v1 stand-in, and the Pub/Sub topology bootstrap."""
