CREATE TABLE teams (id bigint PRIMARY KEY, captain_id bigint);
CREATE TABLE players (id bigint PRIMARY KEY, team_id bigint REFERENCES teams (id));
ALTER TABLE teams ADD FOREIGN KEY (captain_id) REFERENCES players (id);
