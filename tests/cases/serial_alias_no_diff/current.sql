CREATE TABLE tickets (a serial4, b serial8, c serial2);
