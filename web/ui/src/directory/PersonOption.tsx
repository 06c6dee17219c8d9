import { useTranslation } from 'react-i18next';

/** OptionPerson is what a member picker knows of a person it offers. */
export interface OptionPerson {
  display_name: string;
  email: string;
  employee_number?: string | null;
  primary_department?: { id: string; name: string } | null;
}

/**
 * PersonOption is how every member picker offers a person: the name, their primary department
 * beside it (two people called 张伟 are told apart by it), and the email, with the employee
 * number when they have one (pickers find people by it too).
 */
export function PersonOption({ person }: { person: OptionPerson }) {
  const { t } = useTranslation();
  const dept = person.primary_department?.name;
  return (
    <span className="person-option">
      <span className="person-option-line">
        <span className="person-option-name">{person.display_name}</span>
        {dept && (
          <span className="person-option-dept" title={t('people.departments')}>
            {dept}
          </span>
        )}
      </span>
      <span className="person-option-line person-option-meta">
        <span className="person-option-email">{person.email}</span>
        {person.employee_number && (
          <span className="person-option-number" title={t('people.employeeNumber')}>
            {person.employee_number}
          </span>
        )}
      </span>
    </span>
  );
}
