export {}; // the service's library API arrives with its issue
