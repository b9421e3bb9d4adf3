CREATE SEQUENCE ticket_seq AS integer;
