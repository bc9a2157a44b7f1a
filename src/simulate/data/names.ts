/** Name and address pools. Mixed origins on purpose: matching must cope with more than Anglo names. */
export const FAMILY_NAMES = [
  'Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller', 'Davis', 'Rodriguez', 'Martinez',
  'Hernandez', 'Lopez', 'Gonzalez', 'Wilson', 'Anderson', 'Thomas', 'Taylor', 'Moore', 'Jackson', 'Martin',
  'Lee', 'Perez', 'Thompson', 'White', 'Harris', 'Sanchez', 'Clark', 'Ramirez', 'Lewis', 'Robinson',
  'Walker', 'Young', 'Allen', 'King', 'Wright', 'Scott', 'Torres', 'Nguyen', 'Hill', 'Flores',
  'Green', 'Adams', 'Nelson', 'Baker', 'Hall', 'Rivera', 'Campbell', 'Mitchell', 'Carter', 'Roberts',
  "O'Brien", "O'Connor", 'McDonald', 'MacKenzie', 'Kowalski', 'Nowak', 'Schmidt', 'Müller', 'Rossi', 'Russo',
  'Cohen', 'Levy', 'Patel', 'Shah', 'Singh', 'Kaur', 'Kim', 'Park', 'Chen', 'Wang',
  'Li', 'Zhang', 'Tran', 'Pham', 'Okafor', 'Adeyemi', 'Mensah', 'Haddad', 'Khalil', 'Ivanov',
  'Petrov', 'Yamamoto', 'Tanaka', 'Silva', 'Santos', 'Oliveira', 'Costa', 'Dubois', 'Moreau', 'Van der Berg',
  'De la Cruz', 'St. John', 'Fitzgerald', 'Sullivan', 'Murphy', 'Kelly', 'Brennan', 'Gallagher', 'Doyle', 'Quinn',
] as const;

export const MALE_GIVEN = [
  'James', 'John', 'Robert', 'Michael', 'William', 'David', 'Richard', 'Joseph', 'Thomas', 'Charles',
  'Christopher', 'Daniel', 'Matthew', 'Anthony', 'Mark', 'Steven', 'Andrew', 'Joshua', 'Kenneth', 'Kevin',
  'Edward', 'Jose', 'Luis', 'Carlos', 'Juan', 'Wei', 'Hiroshi', 'Raj', 'Arjun', 'Mohammed',
  'Ahmed', 'Chinedu', 'Kwame', 'Dmitri', 'Pierre', 'Giovanni', 'Liam', 'Noah', 'Ethan', 'Samuel',
] as const;

export const FEMALE_GIVEN = [
  'Mary', 'Patricia', 'Jennifer', 'Linda', 'Elizabeth', 'Barbara', 'Susan', 'Jessica', 'Sarah', 'Karen',
  'Margaret', 'Nancy', 'Lisa', 'Betty', 'Dorothy', 'Sandra', 'Ashley', 'Kimberly', 'Donna', 'Emily',
  'Rebecca', 'Katherine', 'Maria', 'Guadalupe', 'Sofia', 'Mei', 'Yuki', 'Priya', 'Ananya', 'Fatima',
  'Aisha', 'Ngozi', 'Ama', 'Olga', 'Chloé', 'Giulia', 'Emma', 'Olivia', 'Ava', 'Abigail',
] as const;

/** Formal name → nicknames seen at registration desks. */
export const NICKNAMES: Readonly<Record<string, readonly string[]>> = {
  William: ['Bill', 'Will', 'Billy'],
  Robert: ['Bob', 'Rob', 'Bobby'],
  Richard: ['Rick', 'Dick', 'Rich'],
  James: ['Jim', 'Jimmy'],
  John: ['Jack', 'Johnny'],
  Michael: ['Mike'],
  Joseph: ['Joe'],
  Thomas: ['Tom', 'Tommy'],
  Charles: ['Charlie', 'Chuck'],
  Christopher: ['Chris'],
  Daniel: ['Dan', 'Danny'],
  Matthew: ['Matt'],
  Anthony: ['Tony'],
  Steven: ['Steve'],
  Andrew: ['Andy', 'Drew'],
  Joshua: ['Josh'],
  Kenneth: ['Ken', 'Kenny'],
  Edward: ['Ed', 'Eddie', 'Ted'],
  Samuel: ['Sam'],
  Elizabeth: ['Liz', 'Beth', 'Betty'],
  Margaret: ['Maggie', 'Peggy', 'Meg'],
  Patricia: ['Pat', 'Patty', 'Trish'],
  Jennifer: ['Jen', 'Jenny'],
  Katherine: ['Kate', 'Kathy', 'Katie'],
  Rebecca: ['Becky'],
  Susan: ['Sue'],
  Barbara: ['Barb'],
  Dorothy: ['Dot', 'Dottie'],
  Kimberly: ['Kim'],
  Abigail: ['Abby'],
  Jessica: ['Jess'],
  Sandra: ['Sandy'],
};

export const STREET_NAMES = [
  'Main St', 'Oak Ave', 'Maple Dr', 'Cedar Ln', 'Elm St', 'Washington Blvd', 'Lake Rd', 'Hillcrest Dr',
  'Park Ave', 'River Rd', 'Church St', 'Mill St', 'Pine St', 'Sunset Blvd', 'Broadway', 'Highland Ave',
  'Union St', 'Prospect St', 'Spring St', 'Chestnut St', 'Walnut St', 'Jefferson Ave', 'Lincoln Ave', 'Court St',
] as const;

/** City, state, ZIP prefix: a catchment area around a two-campus hospital. */
export const CITIES = [
  ['Albany', 'NY', '122'],
  ['Troy', 'NY', '121'],
  ['Schenectady', 'NY', '123'],
  ['Saratoga Springs', 'NY', '128'],
  ['Cohoes', 'NY', '120'],
  ['Rensselaer', 'NY', '121'],
  ['Pittsfield', 'MA', '012'],
  ['Bennington', 'VT', '052'],
] as const;

export const CLINICIANS = [
  ['1001', 'Abrams', 'Helen'], ['1002', 'Okoye', 'Daniel'], ['1003', 'Fernandez', 'Lucia'],
  ['1004', 'Nakamura', 'Ken'], ['1005', 'Brooks', 'Amelia'], ['1006', 'Haddad', 'Sami'],
  ['1007', 'Lindqvist', 'Erik'], ['1008', 'Mehta', 'Priya'], ['1009', 'Walsh', 'Connor'],
  ['1010', 'Dubois', 'Claire'], ['1011', 'Zhou', 'Lin'], ['1012', 'Gallo', 'Marco'],
] as const;
