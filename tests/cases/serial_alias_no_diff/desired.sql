CREATE TABLE tickets (a serial, b bigserial, c smallserial);
